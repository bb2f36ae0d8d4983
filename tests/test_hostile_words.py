"""Words from files reach the terminal as the text they are: class names, labels, file names and a
model's notes are never taken for Rich markup, an emoji code or an escape sequence. Real
subprocesses on real files; the outputs are read as raw bytes."""

from __future__ import annotations

import csv
import io
import json

import pytest

from exmachina import Network
from exmachina.cli.words import printable, shown

from test_cli import run

# markup that crashes Rich, markup that would style, an emoji code, escape sequences that clear the
# screen and set the window's title, a C1 control (CSI), a bidirectional override
HOSTILE = ["[/INST]", "[bold]b", ":x:", "\x1b]0;pwned\x07\x1b[2J", "c\x9b31m", "\u202eevil"]
OBEYED = ("\x1b", "\x07", "\x9b", "\u202e", "❌")  # none of these may reach the terminal raw


def assert_inert(result) -> None:
    """Exit status 0, no traceback, and nothing in the output that a terminal would obey."""
    assert result.returncode == 0, result.stderr
    both = result.stdout + result.stderr
    assert "Traceback" not in both
    assert not [c for c in OBEYED if c in both], both


def test_printable_escapes_what_a_terminal_obeys_and_keeps_ordinary_text():
    assert printable("ça va, 東京 ok") == "ça va, 東京 ok"
    assert printable("\x1b[2J\x07\x9b\x7f") == "\\x1b[2J\\x07\\x9b\\x7f"
    assert printable("a\u202eb\u2028c") == "a\\u202eb\\u2028c"
    assert printable("m\udcff.json") == "m\\xff.json"  # a file name's undecodable byte, as that byte
    assert shown("[/INST] :x:") == "\\[/INST] :x:"


@pytest.fixture
def hostile_model(tmp_path):
    net = Network.layered([2, 3, len(HOSTILE)], loss="cross_entropy", seed=1)
    net.blueprint.classes = list(HOSTILE)
    net.blueprint.training = {"note\x1b[2J": "[/INST] \x1b]0;title\x07", "learning_rate": 0.1}
    path = tmp_path / "[red]m:x:.json"
    net.save(path)
    return path


@pytest.mark.subprocess
@pytest.mark.parametrize("command", [
    ["info"], ["info", "--json"], ["predict", "--values", "0,1"], ["trace", "--values", "0,1"],
])
def test_a_model_s_class_names_and_notes_are_shown_as_text(tmp_path, hostile_model, command):
    result = run(command[0], hostile_model, *command[1:], cwd=tmp_path)
    assert_inert(result)
    if command != ["info", "--json"]:
        assert "[red]m:x:.json" in result.stdout.replace("\n", "") or command[0] == "predict"  # wrapped at 80
        assert "[/INST]" in result.stdout and "\\x1b]0;pwned\\x07\\x1b[2J" in result.stdout
    else:
        assert json.loads(result.stdout)["classes"] == HOSTILE


@pytest.mark.subprocess
def test_labels_and_a_file_name_from_a_csv_are_shown_as_text_when_learning_and_predicting(tmp_path):
    data = tmp_path / ":x:[bold]d.csv"
    rows = [f"{i % 3},{i % 5},{HOSTILE[i % 2 * 3]}" for i in range(40)]  # "[/INST]" and the escapes
    data.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    learned = run("learn", "--data", f"csv:{data.name}", "--epochs", "1", "--save", "[bold]m.json", cwd=tmp_path)
    assert_inert(learned)
    assert f"Learning csv:{data.name}" in learned.stdout and "Model saved to [bold]m.json" in learned.stdout
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in learned.stdout  # in the confusion matrix
    predicted = run("predict", "[bold]m.json", "--data", f"csv:{data.name}", "--show", "5", cwd=tmp_path)
    assert_inert(predicted)


@pytest.mark.subprocess
def test_an_error_naming_a_hostile_file_is_one_line_of_text(tmp_path):
    result = run("info", "\x1b[2J:x:[/INST]\u202e.json", cwd=tmp_path)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: \\x1b[2J:x:[/INST]\\u202e.json: No such file")



FORMULAS = ["=1+2", "+A1", "@SUM(A1)", "-x"]  # a spreadsheet runs a cell that starts so


@pytest.mark.subprocess
def test_predictions_written_as_csv_are_never_formulas_and_numbers_stay_numbers(tmp_path):
    classes = [*FORMULAS, "-1"]
    net = Network.layered([2, 3, len(classes)], loss="cross_entropy", seed=1)
    net.blueprint.classes = classes
    net.save(tmp_path / "m.json")
    with open(tmp_path / "d.csv", "w", newline="") as data:
        csv.writer(data).writerows([["x", "y", "label"], *([i / 10, -i / 10, c] for i, c in enumerate(classes))])
    result = run("predict", "m.json", "--data", "csv:d.csv", "--output", "p.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "p.csv").read_text())))
    assert [row["label"] for row in rows] == ["'" + c for c in FORMULAS] + ["-1"]
    for cell in (row["predicted"] for row in rows):
        assert cell == "-1" or (cell.startswith("'") and cell[1:] in FORMULAS), cell
