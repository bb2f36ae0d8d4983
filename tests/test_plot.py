"""`exmachina plot` and `learn --plot`: real pictures drawn by matplotlib from real reports."""

from __future__ import annotations

import json

import numpy as np
import pytest
from matplotlib.image import imread

from test_cli import assert_refused, run


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A real run on iris, with its report and the picture `learn --plot` drew."""
    folder = tmp_path_factory.mktemp("plot")
    done = run("learn", "--data", "iris", "--epochs", "6", "--report", "r.json", "--plot", "learned.png", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "drawn in learned.png" in done.stdout
    return folder / "r.json"


def test_learn_draws_a_picture_at_the_end_of_a_run(report):
    picture = imread(report.parent / "learned.png")
    assert picture.shape[:2] == (420, 1400)
    assert picture[..., :3].std() > 0.1  # curves and a matrix, not a blank page


@pytest.mark.subprocess
def test_plot_draws_curves_and_the_confusion_matrix_with_words_in_an_svg(report):
    done = run("plot", report.name, "--output", "r.svg", cwd=report.parent)
    assert done.returncode == 0 and done.stdout == "Drew r.svg\n", done.stderr
    svg = (report.parent / "r.svg").read_text()
    for words in ("exmachina learn --data iris: layers 4-32-3", "while learning", "learned (after the pass)",
                  "test", "confusion matrix (test set)", "setosa", "versicolor", "virginica", "predicted"):
        assert words in svg
    figures = json.loads(report.read_text())
    for count in {n for row in figures["confusion"] for n in row if n}:  # every count is written in its cell
        assert f">{count}</text>" in svg
    default = run("plot", report.name, cwd=report.parent)
    assert default.returncode == 0 and (report.parent / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


BASE = {"data": "xor", "history": [{"epoch": 1, "loss": 0.5}], "confusion": [[2, 0], [0, 2]], "classes": [0, 1],
        "confusion_set": "train"}  # what a picture needs; each case below spoils one part


@pytest.mark.subprocess
@pytest.mark.parametrize("content, option, complaint", [
    (None, [], "missing.json: No such file"),
    ("{not json", [], "not valid JSON (line 1, column 2)"),
    ('{"format": "exmachina-network"}', [], "not a report of `exmachina learn --report`"),
    (json.dumps(BASE | {"history": [1, 2]}), [], "\"history\" must be a list of passes"),
    (json.dumps(BASE | {"history": [{"epoch": 1, "loss": "low"}]}), [], "pass 1: loss must be a number or null"),
    (json.dumps(BASE | {"confusion": [[1, 2], [3]]}), [], "\"confusion\" must be 2 rows of 2 counts"),
    (json.dumps(BASE | {"classes": [{}, []]}), [], "\"classes\" must be a list of class names"),
    (None, ["--output", "r.gif"], "write a .png, .svg or .pdf picture"),
    (None, ["--output", "nowhere/r.png"], "no such directory nowhere"),
    (None, ["--output", "r.json"], "--output r.json is the file that REPORT reads"),
])
def test_bad_reports_and_pictures_are_one_line_and_nothing_is_written(report, tmp_path, content, option, complaint):
    name = report.name if content is None and option else "missing.json"
    if content is not None:
        name = "bad.json"
        (tmp_path / name).write_text(content)
    elif option:
        (tmp_path / name).write_text(report.read_text())
    before = sorted(p.name for p in tmp_path.iterdir())
    assert_refused(run("plot", name, *option, cwd=tmp_path), complaint)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no picture, no temporary file


@pytest.mark.subprocess
def test_a_report_with_untested_passes_draws_what_was_measured(tmp_path):
    history = [{"epoch": e, "loss": 1 / e, "accuracy": 0.5 + e / 100, "train_loss": None if e % 5 else 0.5,
                "train_accuracy": None if e % 5 else 0.9, "test_loss": None, "test_accuracy": None}
               for e in range(1, 51)]
    figures = {"data": "xor", "history": history, "confusion": [[2, 0], [0, 2]], "classes": [0, 1],
               "confusion_set": "train"}
    (tmp_path / "r.json").write_text(json.dumps(figures))
    done = run("plot", "r.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert np.asarray(imread(tmp_path / "r.png")).std() > 0.1
