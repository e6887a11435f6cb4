"""The class similarity report (tfbasics.grading.similarity): copies rank above honest work."""

import ast
from pathlib import Path

import pytest
from similarity_class import ALICE, FRANK, HONEST

from tfbasics.grading import similarity
from tfbasics.grading.exercise_list import stub_path
from tfbasics.grading.submissions import exercise_names

REFERENCE_FILE = Path(__file__).resolve().parents[1] / "tfbasics" / "softmax.py"
COPIES = {("alice", "frank"), ("gina", similarity.REFERENCE)}


def function_order(source):
    return [n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """Five honest students, frank (alice's file disguised), gina (the reference pasted) and
    stubby (the stub untouched): {name: folder}."""
    root = tmp_path_factory.mktemp("class")
    files = {**HONEST, "frank": FRANK, "gina": REFERENCE_FILE.read_text()}
    files["stubby"] = stub_path("softmax").read_text()
    for name, text in files.items():
        (root / name).mkdir()
        (root / name / "softmax.py").write_text(text)
    return {name: root / name for name in files}


@pytest.fixture(scope="module")
def pairs(klass):
    return similarity.similarity_report(klass, ["softmax"])


def score(pairs, a, b):
    [found] = [p for p in pairs if {p.student_a, p.student_b} == {a, b}]
    return found.score


def test_the_planted_copy_is_a_real_disguise():
    # the test means something only if frank's file is not alice's with a few edits
    assert function_order(FRANK) != function_order(ALICE)
    alice_lines, frank_lines = set(ALICE.splitlines()), set(FRANK.splitlines())
    shared = {line for line in alice_lines & frank_lines if "(" in line and "def " not in line}
    assert len(shared) <= 6, shared  # np.errstate / dtype lines only


def test_the_copy_pair_ranks_above_every_honest_pair(pairs):
    copied = score(pairs, "alice", "frank")
    honest = [p for p in pairs if (p.student_a, p.student_b) not in COPIES]
    assert honest, "no honest pairs: the test would prove nothing"
    assert copied > max(p.score for p in honest)
    assert copied >= 0.8  # most of either file is found in the other
    assert {(p.student_a, p.student_b) for p in pairs[:2]} == COPIES


def test_a_pasted_reference_ranks_high_against_the_reference(pairs):
    pasted = score(pairs, "gina", similarity.REFERENCE)
    assert pasted >= 0.9
    honest = [score(pairs, name, similarity.REFERENCE) for name in HONEST]
    assert pasted > max(honest)


def test_the_stub_is_boilerplate_an_untouched_stub_has_no_pairs(pairs):
    assert not [p for p in pairs if "stubby" in (p.student_a, p.student_b)]


def test_pairs_are_sorted_most_alike_first_and_each_is_listed_once(pairs, klass):
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)
    compared = len(klass) - 1 + 1  # stubby has no code of their own; (reference) is compared
    assert len(pairs) == compared * (compared - 1) // 2
    for p in pairs:
        assert p.score == max(p.share_a, p.share_b) and 0.0 <= p.score <= 1.0


def test_a_notebook_submission_is_compared_as_its_code(klass, tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(block) for block in ALICE.split("\n\n\n")]
    (tmp_path / "nora").mkdir()
    (tmp_path / "nora" / "softmax.ipynb").write_text(nbformat.writes(nb))
    students = {"alice": klass["alice"], "bob": klass["bob"], "nora": tmp_path / "nora"}
    pairs = similarity.similarity_report(students, ["softmax"], references={})
    assert (pairs[0].student_a, pairs[0].student_b) == ("alice", "nora")
    assert pairs[0].score > 0.95


def test_the_reference_is_the_functions_the_exercise_asks_for():
    source = similarity.reference_source("softmax")
    assert set(function_order(source)) == exercise_names("softmax")
    keras = similarity.reference_source("keras_mlp")  # a whole lesson: only its two functions
    assert {"build_model", "compile_model"} <= set(function_order(keras))
    assert "def main(" not in keras


def test_the_report_files(pairs, klass, tmp_path):
    written = similarity.write_report(tmp_path, klass, ["softmax"])
    assert written == pairs
    rows = (tmp_path / similarity.CSV_NAME).read_text().splitlines()
    assert rows[0] == "exercise,student_a,student_b,score,share_a,share_b"
    assert len(rows) == len(pairs) + 1
    assert rows[1].startswith("softmax,") and "frank" in rows[1] + rows[2]
    summary = (tmp_path / similarity.SUMMARY_NAME).read_text()
    assert "alice ~ frank" in summary and "Reported, not judged" in summary
    assert "carol ~" not in summary  # honest pairs stay under the summary's threshold


def test_a_class_with_nothing_alike_says_so():
    assert similarity.summary_lines([])[-1] == "no pair of solutions is 50% alike or more"


def test_tfbasics_grade_can_skip_the_report():
    from tfbasics.grading import class_grader

    assert class_grader.build_parser().parse_args(["class", "--no-similarity"]).no_similarity
    assert not class_grader.build_parser().parse_args(["class"]).no_similarity
