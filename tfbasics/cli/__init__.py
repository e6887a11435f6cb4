"""The ``tfbasics`` command: list, run, browse, check and clean.

Importing it runs nothing; import its modules (``from tfbasics.cli import ...``)."""
