"""What every run of a lesson shares: its folder, atomic writes, checkpoints and resume, summaries, one-line errors.

Importing it runs nothing; import its modules (``from tfbasics.runs import ...``)."""
