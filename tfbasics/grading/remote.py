"""The checks' view of the code under test: ``ex.softmax(...)`` asked of another process.

``Remote`` is the fixture ``ex`` of the exercise checks. Each attribute is looked up in the
learner's process; calling it sends the arguments as data and brings the answer back as data
(tfbasics.grading.channel). Objects stay in the learner's process and are driven by method calls
(``RemoteObject``); an error raised there arrives as a ``RemoteError`` carrying its class names,
message and the learner's line; a process that dies or overruns becomes ``WorkerGone``. Graphs and
Keras models come back serialized and are run here (tfbasics.grading.replay), so every value a
check compares is computed or decoded in the checks' process.
"""

from contextlib import contextmanager

from tfbasics.grading.channel import Ref, walk
from tfbasics.grading.exercise_checks.expect import TaskFailure, show


class RemoteError(Exception):
    """An exception raised by the learner's code, as data: type, classes, message, location."""

    def __init__(self, info):
        self.info = info
        self.type_name = info.get("type", "Exception")
        self.mro = list(info.get("mro", []))
        self.location = info.get("location", "")
        self.not_started = info.get("not_started")
        self.exit = info.get("exit")
        super().__init__(info.get("message", ""))

    def is_a(self, cls):
        """True if the remote error is an instance of ``cls`` (a builtin or a RemoteClass)."""
        name = (
            cls.qualified
            if isinstance(cls, RemoteClass)
            else f"{cls.__module__}.{cls.__qualname__}"
        )
        return name in self.mro


class Remote:
    """The exercise's names in the code under test (the fixture ``ex``).

    Args:
      process: a StudentProcess or LocalProcess serving the exercise.
      where: the file that should define the names, as the learner sees it.
      borrowed: names the file imports from tfbasics (a static scan): they count as not written.
      reference: True when grading the reference itself (its names come from tfbasics).
    """

    def __init__(self, process, where, borrowed=(), reference=False):
        self._process, self._where, self._borrowed = process, where, set(borrowed)
        self._reference = reference
        self._capture = None
        self.output = []  # what the learner's code printed, reply by reply

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        info = self._ask({"op": "get", "name": name}, f"looking up {name}")
        kind = f"class `{name}`" if name[:1].isupper() else f"`{name}()`"
        origin = info.get("origin", "")
        borrowed = name in self._borrowed or (
            not info.get("own") and origin.startswith(("tfbasics", "_tfbasics_exercise_"))
        )
        error_class = info["kind"] == "class" and "builtins.BaseException" in info["mro"]
        if borrowed and not error_class and not self._reference:
            raise TaskFailure(
                f"{kind} in {self._where} is imported from {origin or 'tfbasics'}, not written "
                f"there\n  define {kind} in the file itself (the reference is there to "
                "read, not to import)"
            )
        if info["kind"] == "class":
            return RemoteClass(self, name, info["mro"])
        if info["kind"] == "function":
            return RemoteCallable(self, name, name)
        return info.get("value")

    def _ask(self, request, doing):
        if self._capture is not None:
            request = dict(request, capture=True)
        reply = self._process.request(request, doing)
        if reply.get("output"):
            self.output.append(reply["output"])
        if "load_error" in reply:
            raise LoadFailure(reply["load_error"])
        if "missing" in reply:
            name = reply["missing"]
            kind = f"class `{name}`" if name[:1].isupper() else f"`{name}()`"
            raise TaskFailure(f"define {kind} in {self._where}")
        if "error" in reply:
            raise RemoteError(reply["error"])
        if "unsendable" in reply:
            raise TaskFailure(
                f"{doing}\n  returned something that is not data ({reply['unsendable']})"
            )
        if self._capture is not None:
            self._capture.extend(reply.get("sessions", []))
        return self._wrap(reply.get("value"))

    def _wrap(self, value):
        return walk(value, lambda v: RemoteObject(self, v) if isinstance(v, Ref) else v)

    @contextmanager
    def sessions(self):
        """Record the learner's ``Session.run`` calls made inside: yields a list of runs.

        A run is {"graph_def": bytes, "fetches": [names], "feeds": {name: array}}; replay it
        with tfbasics.grading.replay.run_graph to see what that graph computes.
        """
        runs, self._capture = [], []
        try:
            yield runs
        finally:
            runs.extend(self._capture)
            self._capture = None

    def recipe(self, name, *args, doing=None):
        """The result of the worker's recipe ``name`` (tfbasics.grading.worker_recipes)."""
        request = {"op": "recipe", "name": name, "args": list(args)}
        return self._ask(request, doing or f"building the graph for {name}")


class LoadFailure(TaskFailure):
    """The learner's file does not import: nothing of it can be checked."""


def _unwrap(value):
    return walk(value, lambda v: v._ref if isinstance(v, RemoteObject) else v)


def _call_text(name, args, kwargs):
    parts = [show(a, 60) for a in args] + [f"{k}={show(v, 60)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


class RemoteCallable:
    """A function, or a method of a RemoteObject, in the learner's process."""

    def __init__(self, remote, label, target, method=None):
        self._remote, self._label, self._target, self._method = remote, label, target, method
        self.__name__ = label

    def __call__(self, *args, **kwargs):
        request = {
            "op": "call",
            "target": self._target,
            "method": self._method,
            "args": [_unwrap(a) for a in args],
            "kwargs": {k: _unwrap(v) for k, v in kwargs.items()},
        }
        return self._remote._ask(request, f"running {_call_text(self._label, args, kwargs)}")


class RemoteClass(RemoteCallable):
    """A class defined by the learner's file: calling it makes a RemoteObject."""

    def __init__(self, remote, name, mro):
        super().__init__(remote, name, name)
        self.mro = mro
        self.qualified = mro[0] if mro else name


class RemoteObject:
    """An object that lives in the learner's process; attributes and methods are asked for."""

    def __init__(self, remote, ref):
        self._remote, self._ref = remote, ref

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        label = f"{self._ref.type_name}.{name}"
        got = self._remote._ask(
            {"op": "getattr", "ref": self._ref, "name": name}, f"reading {label}"
        )
        if isinstance(got, dict) and got.get("callable"):
            return RemoteCallable(self._remote, name, self._ref, name)
        return got.get("value") if isinstance(got, dict) else got

    def __repr__(self):
        return f"<a {self._ref.type_name} object>"
