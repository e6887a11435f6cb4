"""The two floors (issue 20): small modules, a short lesson, and calls that only go down."""

import ast
import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "tfbasics"
MAX_MODULE_LINES = 300  # one job, readable in one sitting
MAX_LESSON_LINES = 200  # ch01_07: TensorFlow r1's fully_connected_feed.py is 279
SUBPACKAGES = ("board", "cli", "data", "grading", "notebooks", "runs")


def line_count(path):
    return len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(REPO))
)
def test_no_module_is_over_300_lines(path):
    assert line_count(path) <= MAX_MODULE_LINES, f"{path.relative_to(REPO)}: split it along a seam"


def test_the_section_7_lesson_is_at_most_200_lines():
    lesson = REPO / "chapters" / "ch01_07_single_layer_mnist.py"
    assert line_count(lesson) <= MAX_LESSON_LINES


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_a_tooling_subpackage_init_holds_only_its_docstring(name):
    # importing tfbasics.data must run nothing and export nothing: callers import the module
    body = ast.parse((PACKAGE / name / "__init__.py").read_text(encoding="utf-8")).body
    assert len(body) == 1 and isinstance(body[0], ast.Expr), f"tfbasics/{name}/__init__.py"


def is_ours(module):
    """A module of the library beneath the lessons (the lessons themselves call down into it)."""
    return module.startswith("tfbasics.") and not module.startswith("tfbasics.chapters")


def climbs_back(run, ours=is_ours):
    """Run ``run()`` and return each call that goes back up into a module of ours that is
    still on the stack further up, having been left for another (a set of
    ``"a -> b => a.func"`` strings)."""
    found = set()

    def on_event(frame, event, arg):
        if event != "call" or not ours(frame.f_globals.get("__name__", "")):
            return
        callee = frame.f_globals["__name__"]
        chain, f = [], frame.f_back
        while f is not None:
            name = f.f_globals.get("__name__", "")
            if ours(name) and (not chain or chain[-1] != name):
                chain.append(name)
            f = f.f_back
        if chain and chain[0] != callee and callee in chain[1:]:
            path = list(reversed(chain[: chain.index(callee, 1) + 1]))
            found.add(f"{' -> '.join(path)} => {callee}.{frame.f_code.co_name}")

    sys.setprofile(on_event)
    try:
        run()
    finally:
        sys.setprofile(None)
    return found


def test_the_climb_detector_sees_a_call_back_up():
    # a -> b -> a.helper: b calls back into a module it was called from
    a, b = types.ModuleType("tfbasics.fake_a"), types.ModuleType("tfbasics.fake_b")
    exec("def helper():\n    return 1\ndef start():\n    return b.middle()", a.__dict__)
    exec("def middle():\n    return a.helper()", b.__dict__)
    a.b, b.a = b, a
    assert climbs_back(a.start) == {"tfbasics.fake_a -> tfbasics.fake_b => tfbasics.fake_a.helper"}


def test_following_the_data_from_ch01_07_main_never_climbs_back(tmp_path):
    # real MNIST (read, verified), a run folder, a few SGD steps, the checkpoint, the pictures
    from tfbasics.chapters import ch01_07_single_layer_mnist as lesson

    argv = ["--max-steps", "3", "--seed", "0", "--logdir", str(tmp_path), "--no-progress"]
    codes = []
    assert climbs_back(lambda: codes.append(lesson.main(argv))) == set()
    assert codes == [0]
