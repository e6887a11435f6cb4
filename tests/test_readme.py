"""The README's Quick start is what CI runs, and the README and docs/ stay short and linked.

The Quick start's two commands are read from the README itself; every relative link in
README.md and docs/*.md must lead to a file (and an #anchor to a heading) that exists.
"""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import CHAPTER_RUN, quick_start_commands

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
FOLDER_READMES = [REPO / "exercises" / "README.md", REPO / "logs" / "README.md"]
MAX_README_LINES = 300  # issue 20: a README a newcomer reads in five minutes


def test_quick_start_has_two_commands_and_ci_runs_the_test_command_verbatim():
    commands = quick_start_commands()
    assert len(commands) == 2, (
        f"the Quick start's last code block should hold two commands: {commands}"
    )
    run_chapter, run_tests = commands
    assert "tfbasics run all" in run_chapter, run_chapter
    assert "pytest" in run_tests, run_tests
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert run_tests in ci, (
        f".ci/run does not run the README's test command {run_tests!r} as written"
    )


@pytest.mark.slow
@pytest.mark.xdist_group(CHAPTER_RUN)  # the run is shared with the full-length section tests
def test_quick_start_chapter_command_runs_and_ends_with_the_tensorboard_hint(chapter_run):
    """The first command as a new user types it; the chapter's logs go to a temporary folder."""
    assert shlex.split(chapter_run.install) == ["pip", "install", "-e", "."], chapter_run.install
    assert chapter_run.returncode == 0, chapter_run.stdout[-2000:] + chapter_run.stderr[-2000:]
    last = chapter_run.stdout.strip().splitlines()[-1]
    assert "tfbasics tensorboard" in last, f"the run should end with the TensorBoard hint: {last!r}"
    assert any((chapter_run.folder / "logs").iterdir()), "nothing was written under logs/"


def tf1_program():
    """The Python block of the README's "TensorFlow 1.x code" section, as a reader copies it."""
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## TensorFlow 1\.x code\n(.*?)^## ", text, re.S | re.M)
    assert section, "README.md has no '## TensorFlow 1.x code' section"
    (block,) = re.findall(r"```python\n(.*?)```", section.group(1), re.S)
    return block


@pytest.mark.slow
def test_the_readmes_whole_tf1_program_runs_as_written(tmp_path):
    """A whole TF 1.x program (its header changed as the README says), in a process of its own:
    `disable_v2_behavior` changes TensorFlow's global state. MNIST_data/ is filled from the
    cache, as the book's folder is."""
    program = tf1_program()
    assert "import tensorflow.compat.v1 as tf" in program and "tf.disable_v2_behavior()" in program
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    accuracy = float(done.stdout.strip().splitlines()[-1])
    assert 0.90 < accuracy < 0.935, accuracy  # TF 1.x's tutorial: "about 92%"
    assert (tmp_path / "MNIST_data" / "train-images-idx3-ubyte").is_file()


# ---------------------------------------------------------------------------------------------
# the README is short, and it and docs/ link only to what exists

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~)")


def prose_lines(path):
    """(line number, line) of a Markdown file outside fenced code blocks, inline code removed."""
    lines, fenced = [], False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line.strip()):
            fenced = not fenced
        elif not fenced:
            lines.append((number, re.sub(r"`[^`]*`", "", line)))
    return lines


def heading_anchors(path):
    """GitHub's anchors for the headings of a Markdown file ("## Checkpoints and `--resume`" ->
    "checkpoints-and---resume"; a repeated heading gets -1, -2, ...)."""
    anchors, seen = set(), {}
    text = path.read_text(encoding="utf-8")
    fenced = False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if fenced or not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def relative_links(path):
    """(line number, target) of every link and image in path that is not a URL."""
    found = []
    for number, line in prose_lines(path):
        for target in LINK.findall(line):
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
                found.append((number, target))
    return found


def test_the_readme_is_at_most_300_lines():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, (
        f"README.md has {len(lines)} lines, more than {MAX_README_LINES}: "
        "move reference material to a page in docs/ and link it"
    )


def test_there_are_docs_pages():
    assert len(DOCS) >= 10, [p.name for p in DOCS]


@pytest.mark.parametrize(
    "page", [README, *DOCS, *FOLDER_READMES], ids=lambda p: str(p.relative_to(REPO))
)
def test_every_relative_link_resolves(page):
    broken = []
    for line, target in relative_links(page):
        file, _, anchor = target.partition("#")
        dest = (page.parent / file).resolve() if file else page
        if not dest.exists():
            broken.append(f"line {line}: {target} (no file {dest.relative_to(REPO)})")
        elif anchor and dest.suffix == ".md" and anchor not in heading_anchors(dest):
            broken.append(f"line {line}: {target} (no heading #{anchor} in {dest.name})")
    assert not broken, f"{page.relative_to(REPO)} has broken links: " + "; ".join(broken)


def test_every_docs_page_is_linked_from_the_readme():
    linked = {
        (REPO / target.partition("#")[0]).resolve()
        for _, target in relative_links(README)
        if target.partition("#")[0]
    }
    unlinked = [p.relative_to(REPO).as_posix() for p in DOCS if p.resolve() not in linked]
    assert not unlinked, f"README.md does not link these docs pages: {unlinked}"


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda p: str(p.relative_to(REPO)))
def test_section_markers_are_paired(page):
    text = page.read_text(encoding="utf-8")
    opened = re.findall(r"<!-- section: ([\w-]+) -->", text)
    closed = re.findall(r"<!-- /section: ([\w-]+) -->", text)
    assert opened == closed, f"{page.name}: sections opened {opened}, closed {closed}"


DOTTED = re.compile(r"\btfbasics(?:\.[A-Za-z_][A-Za-z_0-9]*)+")


def resolves(dotted):
    """True if ``dotted`` (``tfbasics.data.mnist.read_data_sets``) names a module or an attribute
    of one: the longest importable prefix, then attributes."""
    import importlib

    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda p: p.name)
def test_every_module_the_docs_name_exists(page):
    # modules move (issue 20 moved most of them): a page must not send a reader to an old path
    text = page.read_text(encoding="utf-8").replace("tfbasics.egg-info", "")
    missing = sorted({name for name in DOTTED.findall(text) if not resolves(name)})
    assert not missing, f"{page.name} names what does not exist: {missing}"
