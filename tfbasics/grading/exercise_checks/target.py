"""The code an exercise check grades: the reference in ``tfbasics/`` or a learner's folder.

The check gets it from the fixture ``ex`` (conftest.py): ``ex.softmax(...)`` is
``tfbasics.softmax.softmax`` by default (the reference) or ``softmax`` from ``<folder>/softmax.py``
when a learner's folder is the target (``--exercises[=DIR]`` or ``TFBASICS_EXERCISES``). A name
the file does not define, a file that does not import and an error raised in the learner's code
read as a teacher's message (``classify``), not as a traceback.
"""

import importlib
import importlib.util
import os
import sys
import traceback
from pathlib import Path

from tfbasics.grading.exercise_checks.expect import TaskFailure
from tfbasics.grading.exercise_list import EXERCISES, bundled_folder, display

ENV_VAR = "TFBASICS_EXERCISES"  # a folder, or "1" for the bundled exercises/


class Target:
    """The code the checks grade: the reference package (folder None) or a folder of exercises."""

    def __init__(self, folder=None):
        self.folder = None if folder is None else Path(folder).resolve()
        self._loaded = {}

    @property
    def is_reference(self):
        return self.folder is None

    def describe(self):
        if self.is_reference:
            return "the reference implementation in tfbasics/"
        return f"the exercises in {display(self.folder)}/"

    def where(self, exercise):
        """The file that should define the exercise's names, as the learner sees it."""
        if self.is_reference:
            return " or ".join(m.replace(".", "/") + ".py" for m in exercise.references)
        return display(self.folder / exercise.filename)

    def owns(self, filename):
        """True if ``filename`` (a traceback frame's file) is code under test, not a check."""
        if self.is_reference:
            return False
        try:
            Path(filename).resolve().relative_to(self.folder)
            return True
        except (ValueError, OSError):
            return False

    def modules(self, exercise):
        """The imported module(s) of ``exercise``; raises TaskFailure if a file will not import."""
        if exercise.name not in self._loaded:
            try:
                self._loaded[exercise.name] = self._import(exercise)
            except TaskFailure as failure:
                self._loaded[exercise.name] = failure
        loaded = self._loaded[exercise.name]
        if isinstance(loaded, TaskFailure):
            raise TaskFailure(str(loaded))
        return loaded

    def _import(self, exercise):
        if self.is_reference:
            found = []
            for name in exercise.references:
                try:
                    found.append(importlib.import_module(name))
                except ModuleNotFoundError as e:
                    if e.name != name:
                        raise
            if not found:
                raise TaskFailure(f"{self.where(exercise)} does not exist yet")
            return found
        path = self.folder / exercise.filename
        if not path.is_file():
            raise TaskFailure(
                f"there is no {display(path)}: copy exercises/{exercise.filename} "
                "there and work in the copy"
            )
        module_name = f"_tfbasics_exercise_{exercise.name}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except SyntaxError as e:
            del sys.modules[module_name]
            raise TaskFailure(
                f"{display(path)} does not run: SyntaxError on line {e.lineno}: {e.msg}"
            ) from None
        except Exception as e:  # the learner's file failed at import: say where
            del sys.modules[module_name]
            raise TaskFailure(
                f"{display(path)} fails when imported: {type(e).__name__}: {e}{self.location(e)}"
            ) from None
        return [module]

    def location(self, error):
        """' (exercises/x.py, line N, in f)' for the deepest frame of ``error`` in learner code."""
        frames = [f for f in traceback.extract_tb(error.__traceback__) if self.owns(f.filename)]
        if not frames:
            return ""
        f = frames[-1]
        return f" ({display(f.filename)}, line {f.lineno}, in {f.name})"

    def namespace(self, exercise):
        return Namespace(self, exercise)


class Namespace:
    """Attribute access to an exercise's names: ``ex.softmax`` or a clear 'define it' failure."""

    def __init__(self, target, exercise):
        self._target, self._exercise = target, exercise

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        for module in self._target.modules(self._exercise):
            if hasattr(module, name):
                found = getattr(module, name)
                self._own(module, name, found)
                return found
        kind = f"class `{name}`" if name[:1].isupper() else f"`{name}()`"
        raise TaskFailure(f"define {kind} in {self._target.where(self._exercise)}")

    def _own(self, module, name, found):
        """A learner's file must define its functions, not import the reference's."""
        origin = getattr(found, "__module__", None) or ""
        if self._target.is_reference or not callable(found) or origin == module.__name__:
            return
        if isinstance(found, type) and issubclass(found, BaseException):
            return  # an error class may come from anywhere; it solves nothing by itself
        if origin.startswith("tfbasics") or origin.startswith("_tfbasics_exercise_"):
            kind = f"class `{name}`" if name[:1].isupper() else f"`{name}()`"
            raise TaskFailure(
                f"{kind} in {self._target.where(self._exercise)} is imported from {origin}, "
                f"not written there\n  define {kind} in the file itself (the reference in "
                f"{origin.replace('.', '/')}.py is there to read, not to import)"
            )


def resolve_target(option, env=None):
    """The Target chosen by ``--exercises`` (``option``) or else ``TFBASICS_EXERCISES``.

    ``option``: None (not given), "1" (bundled exercises/) or a folder. The environment variable
    takes the same values; "", "0" and "no" mean the reference. Raises ValueError with one line.
    """
    env = os.environ.get(ENV_VAR) if env is None else env
    choice, source = (option, "--exercises") if option is not None else (env, ENV_VAR)
    if choice is None or choice.strip().lower() in ("", "0", "no", "false"):
        return Target()
    if choice.strip().lower() in ("1", "yes", "true"):
        return Target(bundled_folder())
    folder = Path(choice).expanduser()
    if not folder.is_dir():
        raise ValueError(
            f"{source}={choice}: no such folder (give the folder holding your "
            "copies of the exercise files, e.g. exercises/)"
        )
    if not any((folder / e.filename).is_file() for e in EXERCISES.values()):
        names = ", ".join(e.filename for e in list(EXERCISES.values())[:3])
        raise ValueError(
            f"{source}={choice}: no exercise files ({names}, ...) in that folder; "
            "note that --exercises takes its folder as --exercises=DIR"
        )
    return Target(folder)


def classify(error, tgt):
    """("not started" | "failed", message for the learner, or None for a check's own bug).

    A stub's NotImplementedError is "not started"; a TaskFailure is the check's verdict; any
    other error raised in the learner's code is reported at the learner's line.
    """
    tb = error.__traceback__
    last = None
    while tb is not None:
        last, tb = tb, tb.tb_next
    if isinstance(error, NotImplementedError) and last is not None:
        path = last.tb_frame.f_code.co_filename
        in_reference = tgt.is_reference and "tfbasics" in path
        if tgt.owns(path) or in_reference:
            owner = last.tb_frame.f_locals.get("self")
            name = last.tb_frame.f_code.co_name
            name = f"{type(owner).__name__}.{name}" if owner is not None else name
            return "not started", (
                f"not started: `{name}()` in {display(path)} still raises NotImplementedError"
            )
    if isinstance(error, TaskFailure):
        return "failed", str(error)
    location = tgt.location(error)
    if location:  # the learner's code crashed: its line, not the check's traceback
        return "failed", f"raised {type(error).__name__}: {error}{location}"
    return "failed", None
