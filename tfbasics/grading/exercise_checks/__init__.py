"""The exercise checks: one ``test_<exercise>.py`` per file in ``exercises/``, tasks numbered.

By default they run against the reference implementation in ``tfbasics/`` (what CI runs); with
``--exercises[=DIR]`` or ``TFBASICS_EXERCISES`` the same checks grade a learner's files instead.
See ``framework.py`` for how a check gets the code under test and how a failure reads.
"""
