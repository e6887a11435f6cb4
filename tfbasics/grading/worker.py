"""The student's side of grading: import the learner's file and answer the checks' requests.

This is the only place a learner's code runs while it is graded. A ``Server`` holds the
exercise's module (the learner's copy, or the reference in ``tfbasics/``) and answers one request
at a time (``handle``): look a name up, call a function or method, read an attribute, run a
harness recipe (tfbasics.grading.worker_recipes). What it answers is data only
(tfbasics.grading.channel): values, descriptions of graph objects, references to objects kept
here, and for an error its class names, message and the learner's line. It never sees an
expected value, and the checks never trust what it says about itself beyond that data.

``serve`` runs a Server on a socket, in the sandboxed process tfbasics.grading.isolation made.
"""

import importlib
import os
import resource
import signal
import sys
import traceback
import types

import numpy as np

from tfbasics.grading import channel, worker_recipes
from tfbasics.grading.channel import Harness, Ref

OUTPUT_CAP = 64 * 1024  # bytes of a request's printed output sent back


class Missing(Exception):
    """The exercise's file does not define a name a check asked for."""


class Server:
    """Answers the checks' requests for one exercise.

    Args:
      exercise: the tfbasics.grading.exercise_list.Exercise.
      source: the learner's prepared file (a path), or None for the reference in tfbasics/.
      shown: the file as the learner knows it (for messages), e.g. "alice/softmax.py".
      output_fd: the file descriptor stdout/stderr go to (read back per request), or None.
    """

    def __init__(self, exercise, source=None, shown=None, output_fd=None):
        self.exercise, self.source, self.shown = exercise, source, shown
        self.output_fd = output_fd
        self.objects = {}
        self.modules, self.load_error = self._load()

    # ------------------------------------------------------------------ loading the code
    def _load(self):
        if self.source is None:
            found = []
            for name in self.exercise.references:
                try:
                    found.append(importlib.import_module(name))
                except ModuleNotFoundError as e:
                    if e.name != name:
                        raise
            return found, None
        name = f"_tfbasics_exercise_{self.exercise.name}"
        module = types.ModuleType(name)
        module.__file__ = self.source  # the copy: nothing beside it but the grader's own files
        sys.modules[name] = module
        try:
            with open(self.source, encoding="utf-8", errors="replace") as f:
                text = f.read()
            # compiled under the learner's name for it: tracebacks and warnings read alice/x.py
            exec(compile(text, self.shown, "exec"), module.__dict__)
        except SyntaxError as e:
            return [], f"{self.shown} does not run: SyntaxError on line {e.lineno}: {e.msg}"
        except BaseException as e:  # noqa: BLE001 - whatever the file does at import is reported
            text = f"{type(e).__name__}: {e}"
            if isinstance(e, SystemExit):
                text = f"it called sys.exit({e.code!r})"
            return [], f"{self.shown} fails when imported: {text}{self.location(e)}"
        return [module], None

    def owns(self, filename):
        if self.source is None:
            return "tfbasics" in filename
        return filename == self.shown

    def location(self, error):
        """' (alice/x.py, line N, in f)' for the deepest frame of ``error`` in the learner's file."""
        if self.source is None:
            return ""
        frames = [f for f in traceback.extract_tb(error.__traceback__) if self.owns(f.filename)]
        if not frames:
            return ""
        f = frames[-1]
        return f" ({self.shown}, line {f.lineno}, in {f.name})"

    def lookup(self, name):
        for module in self.modules:
            if hasattr(module, name):
                return getattr(module, name), module
        raise Missing(name)

    # ------------------------------------------------------------------ values out and in
    def export(self, value, depth=0):
        """``value`` as data: graph objects described, other objects kept here as a Ref."""
        if depth > channel.MAX_DEPTH:
            return self._keep(value)
        if value is None or type(value) in (bool, int, float, str, bytes):
            return value
        if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
            items = [self.export(v, depth + 1) for v in value]
            return tuple(items) if type(value) is tuple else items
        if type(value) is dict and all(type(k) is str for k in value):
            return {k: self.export(v, depth + 1) for k, v in value.items()}
        module = type(value).__module__ or ""
        if isinstance(value, np.ndarray) or (module == "numpy" and hasattr(value, "dtype")):
            try:
                channel.encode(value)
                return value
            except TypeError:
                return self._keep(value)
        if module.startswith("tensorflow"):
            return worker_recipes.describe_tf(value, self._keep)
        return self._keep(value)

    def _keep(self, value):
        number = len(self.objects) + 1
        self.objects[number] = value
        return Ref(number, type(value).__name__)

    def bring(self, value):
        """An argument from the checks: Refs and Harness names become the objects they name."""

        def named(v):
            if isinstance(v, Ref):
                return self.objects[v.number]
            if isinstance(v, Harness):
                return worker_recipes.HARNESS[v.name]
            return v

        return channel.walk(value, named)

    # ------------------------------------------------------------------ requests
    def handle(self, request):
        """The reply (dict) to one request (dict), both already decoded from the channel."""
        if self.output_fd is not None:
            start = os.lseek(self.output_fd, 0, os.SEEK_END)
        capture = bool(request.get("capture"))
        try:
            if self.load_error:
                reply = {"load_error": self.load_error}
            else:
                # the checks compare values, and a nan says more than numpy's warning about it
                with np.errstate(all="ignore"), worker_recipes.session_capture(capture) as runs:
                    reply = {"value": self._answer(request)}
                if capture:
                    reply["sessions"] = runs
        except Missing as e:
            reply = {"missing": str(e)}
        except BaseException as e:  # noqa: BLE001 - the learner's error, described as data
            reply = {"error": self.describe_error(e)}
        if self.output_fd is not None:
            reply["output"] = self._output_since(start)
        return reply

    def _answer(self, request):
        op = request.get("op")
        if op == "get":
            value, module = self.lookup(request["name"])
            origin = getattr(value, "__module__", None) or ""
            kind = (
                "class" if isinstance(value, type) else "function" if callable(value) else "value"
            )
            info = {"kind": kind, "origin": origin, "own": origin == module.__name__}
            if kind == "class":
                info["mro"] = [f"{c.__module__}.{c.__qualname__}" for c in value.__mro__]
            if kind == "value":
                info["value"] = self.export(value)
            return info
        if op == "call":
            target = request["target"]
            function = self.objects[target.number] if isinstance(target, Ref) else None
            if function is None:
                function, _ = self.lookup(target)
            if request.get("method"):
                function = getattr(function, request["method"])
            args = self.bring(request.get("args", []))
            kwargs = self.bring(request.get("kwargs", {}))
            return self.export(function(*args, **kwargs))
        if op == "getattr":
            value = getattr(self.objects[request["ref"].number], request["name"])
            if callable(value) and not isinstance(value, type):
                return {"callable": True}
            return {"value": self.export(value)}
        if op == "recipe":
            recipe = worker_recipes.RECIPES[request["name"]]
            args = self.bring(request.get("args", []))
            return self.export(recipe(self.lookup, *args))
        raise ValueError(f"unknown request {op!r}")

    def describe_error(self, error):
        """An error raised by the learner's code, as data: classes, message, the learner's line."""
        cls = type(error)
        info = {
            "type": cls.__name__,
            "mro": [f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__],
            "message": str(error)[:2000] if not isinstance(error, SystemExit) else "",
            "location": self.location(error),
        }
        if isinstance(error, SystemExit):
            info["exit"] = repr(error.code)
        tb, last = error.__traceback__, None
        while tb is not None:
            last, tb = tb, tb.tb_next
        if isinstance(error, NotImplementedError) and last is not None:
            path = last.tb_frame.f_code.co_filename
            if self.owns(path):
                owner = last.tb_frame.f_locals.get("self")
                name = last.tb_frame.f_code.co_name
                name = f"{type(owner).__name__}.{name}" if owner is not None else name
                shown = self.shown or path
                info["not_started"] = (
                    f"not started: `{name}()` in {shown} still raises NotImplementedError"
                )
        return info

    def _output_since(self, start):
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - the learner may have replaced them
            pass
        os.lseek(self.output_fd, start, os.SEEK_SET)
        return os.read(self.output_fd, OUTPUT_CAP).decode("utf-8", "replace")


def serve(sock, server_factory, isolated=()):
    """Answer requests on ``sock`` (a connected socket) until it closes.

    ``server_factory()`` makes the Server (the learner's file is imported then); its load
    error, if any, is the first thing sent, with ``isolated`` (what the sandbox put in force).
    """
    reader = channel.FrameReader()
    before = _output_size(None)
    server = server_factory()
    output_fd = server.output_fd
    _end_if_output_full(output_fd, before)
    hello = {"ready": True, "load_error": server.load_error, "isolated": list(isolated)}
    channel.write_frame(sock.send, hello)
    while True:
        data = sock.recv(1 << 20)
        if not data:
            return
        for message in reader.feed(data):
            request = channel.decode(message["request"])
            before = _output_size(output_fd)
            reply = server.handle(request)
            _end_if_output_full(output_fd, before)
            try:
                body = {"reply": channel.encode(reply)}
            except TypeError as e:
                body = {"reply": channel.encode({"unsendable": str(e)})}
            channel.write_frame(sock.send, body)


def _output_size(output_fd):
    """The size of the output file in bytes (0 if fstat fails); ``output_fd`` None: fd 1, stdout,
    before the Server has its own output file."""
    try:
        return os.fstat(1 if output_fd is None else output_fd).st_size
    except OSError:
        return 0


def _end_if_output_full(output_fd, before):
    """End this process as SIGXFSZ would if the output file grew to RLIMIT_FSIZE just now.

    Process 1 of a PID namespace never gets the kernel's SIGXFSZ (nor does a learner who
    ignores it): a write past the limit only fails, which the learner's code may catch. The
    limit holds either way; this makes the grade say so ("wrote more than ...") for the request
    that filled it (a file already full stays so: later writes fail, the grade goes on).
    """
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    size = _output_size(output_fd)
    if limit != resource.RLIM_INFINITY and before < size and size >= limit:
        os._exit(128 + signal.SIGXFSZ)
