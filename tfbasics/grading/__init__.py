"""The exercise checker and grader: checks, sandboxed student processes, reports.

Importing it runs nothing; import its modules (``from tfbasics.grading import ...``)."""
