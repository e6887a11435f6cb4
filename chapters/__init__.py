"""The chapter's runnable scripts, one per section, in chapter order (``ch01_NN_name.py``).

Each is a thin command line over ``tfbasics``: ``python chapters/ch01_01_neuron.py --help``.
"""
