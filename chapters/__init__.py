"""The chapter's scripts, one per section, in chapter order (``ch01_NN_name.py``).

Each is teaching text: read top to bottom, it is the section's code as the book writes it, fixed.
Run one with ``python chapters/ch01_01_neuron.py --help``; installed, they are the package
``tfbasics.chapters`` (``python -m tfbasics.chapters.ch01_01_neuron``).
"""
