"""Importing a lesson, a twin or the tooling their ``--help`` reaches imports no TensorFlow and
prints nothing; ``--help`` answers without TensorFlow; importing any tfbasics module leaves
TensorFlow's global state as it was.

Each check runs in a fresh interpreter. A guard first on ``sys.meta_path`` refuses the first
import of a heavy package (TensorFlow, Keras, TensorBoard, matplotlib, PIL: the packages a lesson
may import only inside a function) and prints the lines of this repository that led to it, so a
failure names the module and the statement to move. How fast ``--help`` answers is measured by
``benchmarks/help.py``, never asserted here.
"""

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("tensorflow", "keras", "tensorboard", "matplotlib", "PIL")
HEAVY_IMPORT = 3  # the child's exit status when it refused one
TIMEOUT = 120  # seconds; a light import takes well under one

# The child: install the guard, then import a module, run a script, or run a module as __main__.
GUARD = f"""
import os, runpy, sys, traceback

HEAVY_IMPORT = {HEAVY_IMPORT}

ROOT = {str(ROOT)!r}
HEAVY = {HEAVY!r}
REPORT = os.dup(2)  # tfbasics._tf points fd 2 at /dev/null while TensorFlow loads


class RefuseHeavy:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HEAVY:
            chain = [
                f"  {{f.filename[len(ROOT) + 1 :]}}:{{f.lineno}}: {{f.line}}"
                for f in traceback.extract_stack()[:-1]
                if f.filename.startswith(ROOT + os.sep) and "/.venv/" not in f.filename
            ]
            report = f"imports {{name}}, first at:\\n" + "\\n".join(chain) + "\\n"
            os.write(REPORT, report.encode())
            os._exit(HEAVY_IMPORT)
        return None


sys.meta_path.insert(0, RefuseHeavy())
how, target, *args = sys.argv[1:]
if how == "import":
    __import__(target)
elif how == "script":  # as `python chapters/x.py ...`: its folder first on sys.path
    sys.argv = [target, *args]
    sys.path[0] = os.path.dirname(target)
    runpy.run_path(target, run_name="__main__")
elif how == "module":  # as `python -m target ...`
    sys.argv = [target, *args]
    runpy.run_module(target, run_name="__main__", alter_sys=True)
elif how == "command":  # as the `tfbasics` console script: tfbasics.cli.main:main
    from tfbasics.cli.main import main

    sys.argv = ["tfbasics", *args]
    sys.exit(main())
"""


def run_guarded(what, how, target, *args):
    """Run the child; if it reached for a heavy package, fail with ``what`` and the chain."""
    done = subprocess.run(
        [sys.executable, "-c", GUARD, how, str(target), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=TIMEOUT,
    )
    if done.returncode == HEAVY_IMPORT:
        pytest.fail(f"{what} {done.stderr}", pytrace=False)
    return done


def module_name(path):
    """chapters/tf2/ch01_02_x.py -> tfbasics.chapters.tf2.ch01_02_x (chapters/ installs there)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(("tfbasics", *parts) if parts[0] == "chapters" else parts)


SCRIPTS = sorted(ROOT.glob("chapters/ch01_*.py")) + sorted(ROOT.glob("chapters/tf2/ch01_*.py"))
ENTRY_MODULES = [
    "tfbasics.chapters",
    "tfbasics.chapters.tf2",
    *(module_name(p) for p in SCRIPTS),
    "tfbasics.cli.main",
    "tfbasics.__main__",
]


def module_level_imports(name):
    """The tfbasics modules that module ``name`` imports when it is imported (not in functions)."""
    spec = importlib.util.find_spec(name)
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    found = set()
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If | ast.Try | ast.ExceptHandler):  # top-level blocks run too
            todo.extend(ast.iter_child_nodes(node))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {candidate for candidate in found if is_module(candidate)}


def is_module(name):
    """Whether ``name`` is a tfbasics module (``tfbasics.x.function`` is not), importing at most
    its parent packages, which are docstrings only."""
    if name.split(".")[0] != "tfbasics":
        return False
    parent = name.rpartition(".")[0]
    if parent and not is_module(parent):
        return False
    if parent and importlib.util.find_spec(parent).submodule_search_locations is None:
        return False  # the parent is a module, so `name` is something defined in it
    return importlib.util.find_spec(name) is not None


def reached_by_help():
    """Every tfbasics module that importing a script or the ``tfbasics`` command imports."""
    seen, todo = set(), list(ENTRY_MODULES)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(module_level_imports(name))
    return sorted(seen - set(ENTRY_MODULES))


@pytest.mark.parametrize("name", ENTRY_MODULES + reached_by_help())
def test_importing_imports_nothing_heavy_and_prints_nothing(name):
    done = run_guarded(f"importing {name}", "import", name)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", ""), f"importing {name}"


@pytest.mark.parametrize("script", SCRIPTS, ids=[str(p.relative_to(ROOT)) for p in SCRIPTS])
def test_script_help_answers_without_tensorflow(script):
    where = f"python {script.relative_to(ROOT)} --help"
    done = run_guarded(where, "script", script, "--help")
    assert done.returncode == 0 and done.stderr == "", (where, done.returncode, done.stderr)
    assert done.stdout.startswith("usage: "), (where, done.stdout[:200])


def subcommands():
    """Every command of ``tfbasics`` ("list", "data fetch", ...), as its parser knows them."""
    from tfbasics.cli import main  # imports no TensorFlow (checked above)

    return sorted(main.build_parser().commands)


@pytest.mark.parametrize(
    "how, target", [("command", "tfbasics"), ("module", "tfbasics")], ids=["tfbasics", "-m"]
)
def test_tfbasics_help_answers_without_tensorflow(how, target):
    where = "tfbasics --help" if how == "command" else "python -m tfbasics --help"
    done = run_guarded(where, how, target, "--help")
    assert done.returncode == 0 and done.stderr == "", (where, done.returncode, done.stderr)
    assert done.stdout.startswith("usage: tfbasics"), (where, done.stdout[:200])


@pytest.mark.parametrize("command", subcommands())
def test_every_tfbasics_command_help_answers_without_tensorflow(command):
    where = f"tfbasics {command} --help"
    done = run_guarded(where, "command", "tfbasics", *command.split(), "--help")
    assert done.returncode == 0 and done.stderr == "", (where, done.returncode, done.stderr)
    assert done.stdout.startswith(f"usage: tfbasics {command}"), (where, done.stdout[:200])


# Import every module of the package (the tooling, the lessons, the twins), each with its output
# caught at the file descriptors; then read TensorFlow's global state.
IMPORT_ALL = """
import importlib, json, os, pkgutil, sys, tempfile

import tfbasics
import tfbasics.chapters

names = ["tfbasics", "tfbasics.chapters"]
for package in (tfbasics, tfbasics.chapters):
    names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
printed = {}
with tempfile.TemporaryFile("w+") as caught:
    saved = os.dup(1), os.dup(2)
    for name in names:
        caught.seek(0)
        caught.truncate()
        os.dup2(caught.fileno(), 1)
        os.dup2(caught.fileno(), 2)
        try:
            importlib.import_module(name)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
        caught.seek(0)
        if caught.read():
            caught.seek(0)
            printed[name] = caught.read()

from tfbasics._tf import tf

executing_eagerly = tf.executing_eagerly()  # imports TensorFlow quietly if no module did

from tensorflow.python import tf2
from tensorflow.python.eager import context

state = dict(
    executing_eagerly=executing_eagerly,
    v2_behavior=tf2.enabled(),
    functions_run_eagerly=tf.config.functions_run_eagerly(),
    default_graph_ops=len(tf.compat.v1.get_default_graph().get_operations()),
    global_seed=context.global_seed(),
)
print(json.dumps(dict(modules=len(names), printed=printed, state=state)))
"""


@pytest.mark.slow
def test_importing_every_module_prints_nothing_and_leaves_tensorflow_as_it_was():
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["modules"] > 50  # the walk found the package, not one empty folder
    assert report["printed"] == {}, "modules that print when imported"
    assert report["state"] == dict(
        executing_eagerly=True,
        v2_behavior=True,
        functions_run_eagerly=False,
        default_graph_ops=0,
        global_seed=None,
    )
