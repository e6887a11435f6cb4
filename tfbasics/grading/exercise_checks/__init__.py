"""The exercise checks: one ``test_<exercise>.py`` per file in ``exercises/``, tasks numbered.

By default they run against the reference implementation in ``tfbasics/`` (what CI runs); with
``--exercises[=DIR]`` or ``TFBASICS_EXERCISES`` the same checks grade a learner's files instead.
``target.py``: how a check gets the code under test; ``expect.py``: how it compares and how a
failure reads.
"""
