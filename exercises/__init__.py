"""The learner's exercise files, installed as the package data ``tfbasics.exercises``.

Work in ``<name>.py``; ``tfbasics check`` grades it. Nothing here is imported by tfbasics: the
checker finds this folder through this package and reads the files (see README.md).
"""
