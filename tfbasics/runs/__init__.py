"""What every run of a lesson shares: its folder, atomic writes, checkpoints and resume, summaries, one-line errors.

Section 7's command line (flags, run folder, resume, Ctrl-C, disk-full and bad-flag lines) is
``training_run``. Importing this package runs nothing; import its modules
(``from tfbasics.runs import ...``)."""
