"""The notebooks: each lesson (chapters/ch01_NN_*.py) built into notebooks/ch01_NN_*.ipynb.

``python -m tfbasics.notebooks`` converts the lessons with jupytext, executes them with nbclient
and writes them (tfbasics.notebooks.build); ``--check`` says whether they still match.
"""
