"""Install tfbasics: the library, the chapter scripts and the `tfbasics` command."""

import re
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent


def requirements():
    """The pins in requirements.txt, without comments: one list for pip -r and for setup."""
    lines = (HERE / "requirements.txt").read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def pinned(*names):
    """The requirements.txt pins of ``names`` (one home for each pin)."""
    return [r for r in requirements() if re.split(r"[<>=!~;\[ ]", r)[0] in names]


setup(
    name="tfbasics",
    version="0.1.0",
    description=(
        "Chapter 1 of 'Practical Convolutional Neural Networks' "
        "(graphs, sessions, feed_dict) on today's TensorFlow via tf.compat.v1"
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",  # the full text is in LICENSE; TensorFlow's own licence
    license_files=["LICENSE"],
    python_requires=">=3.10",
    # chapters/ stays at the top of the repository for readers; it installs as tfbasics.chapters
    # so that no generic top-level name ("chapters") is taken in a user's environment; chapters/tf2/
    # (the TensorFlow 2 twins) installs as tfbasics.chapters.tf2
    packages=[
        "tfbasics",
        "tfbasics.board",
        "tfbasics.cli",
        "tfbasics.data",
        "tfbasics.grading",
        "tfbasics.grading.exercise_checks",
        "tfbasics.notebooks",
        "tfbasics.runs",
        "tfbasics.chapters",
        "tfbasics.chapters.tf2",
        "tfbasics.exercises",
    ],
    # exercises/ (the learner's stubs and hints) installs as tfbasics.exercises: one copy, found
    # by the checker in a wheel as in an editable install
    package_dir={"tfbasics.chapters": "chapters", "tfbasics.exercises": "exercises"},
    package_data={"tfbasics.exercises": ["*.hints.md", "README.md"]},
    install_requires=requirements(),
    # `pip install -e ".[notebooks]"`: JupyterLab to open notebooks/; the rest are already in
    # requirements.txt (the test suite executes the notebooks), listed so the extra says it all
    extras_require={"notebooks": ["jupyterlab>=4.2", *pinned("jupytext", "ipykernel", "nbclient")]},
    entry_points={"console_scripts": ["tfbasics = tfbasics.cli.main:main"]},
)
