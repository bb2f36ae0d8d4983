"""The `exmachina learn`, `predict` and `info` commands, run for real in subprocesses."""

from __future__ import annotations

import csv
import gzip
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris

import commands

EXMACHINA = [str(Path(sys.executable).parent / "exmachina")]
MODULE = [sys.executable, "-m", "exmachina"]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "COLUMNS")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run(*args: str, cwd: Path | None = None, how: list[str] | None = None, timeout: float = 300):
    """`exmachina ARGS`, captured: forked from a process that has imported the commands (tests/commands.py),
    or started as `how` says (EXMACHINA: the installed script itself, in a new interpreter)."""
    if how is None:
        return commands.run(args, cwd, environment(), timeout)
    return subprocess.run([*how, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=environment(), timeout=timeout)


def assert_refused(result, *fragments: str) -> None:
    """Exit status 2, one line on stderr that says what and where, and no traceback anywhere."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr + result.stdout
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0]


def write_iris(path: Path, rows: slice = slice(None), extra: list[list] = ()) -> None:
    """Iris as a CSV file with the species as words in the last column."""
    iris = load_iris()
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*iris.feature_names, "species"])
        for x, y in list(zip(iris.data, iris.target))[rows]:
            writer.writerow([*x, iris.target_names[y]])
        writer.writerows(extra)


def idx(array: np.ndarray) -> bytes:
    return (bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
            + array.astype(np.uint8).tobytes())


def write_small_mnist(folder: Path) -> int:
    """Real IDX files holding 8x8 digits: train gzipped, t10k not, as the distribution names them."""
    digits = load_digits()
    pixels = np.round(digits.images * 255 / 16).astype(np.uint8)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx(pixels[:300])))
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx(digits.target[:300])))
    (folder / "t10k-images-idx3-ubyte").write_bytes(idx(pixels[300:400]))
    (folder / "t10k-labels-idx1-ubyte").write_bytes(idx(digits.target[300:400]))
    return 400


# -- learning ------------------------------------------------------------------------------------


@pytest.mark.subprocess
@pytest.mark.slow
def test_default_learn_reaches_95_percent_on_the_digits(tmp_path):
    result = run("learn", "--report", "report.json", "--save", "model.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["test_accuracy"] >= 0.95
    assert report["data"] == "digits" and report["engine"] == "actors" and report["layers"] == [64, 32, 10]
    assert report["train_examples"] == 1437 and report["test_examples"] == 360
    assert report["epochs"] == len(report["history"]) == 10
    assert report["seed"] == 0
    assert report["messages"] == sum(h["messages"] for h in report["history"]) > 0
    assert report["examples_per_second"] > 0
    assert all(0 <= h["recent_accuracy"] <= 1 for h in report["history"])
    assert np.sum(report["confusion"]) == 360
    assert np.trace(report["confusion"]) == round(report["test_accuracy"] * 360)
    # what the terminal shows: a line per pass with the last-200 accuracy, a table and the matrix
    passes = [fields for fields in map(str.split, result.stderr.splitlines()) if fields and fields[0].endswith("/10")]
    assert len(passes) == 10 and result.stderr.count("last 200") == 1  # a row per pass under one header
    assert max(len(line) for line in result.stderr.splitlines()) <= 80
    assert "" not in result.stderr.splitlines()  # no blank line where the bar would have been on a terminal
    assert [float(p[2].rstrip("%")) for p in passes] == [round(100 * h["accuracy"], 1) for h in report["history"]]
    assert f"{100 * report['test_accuracy']:.1f}%" in result.stdout
    assert "Confusion matrix" in result.stdout and "Model saved to model.json" in result.stdout
    assert "\x1b[" not in result.stdout + result.stderr  # no colour when not on a terminal


@pytest.mark.subprocess
@pytest.mark.parametrize("how", [EXMACHINA, MODULE], ids=["exmachina", "python -m exmachina"])
def test_learns_xor(tmp_path, how):
    result = run("learn", "--data", "xor", "--report", "xor.json", cwd=tmp_path, how=how)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "xor.json").read_text())
    assert report["layers"] == [2, 3, 1] and report["loss"] == "squared"
    assert report["test_accuracy"] == 1.0
    assert report["test_predictions"] == [0, 1, 1, 0]


@pytest.mark.subprocess
def test_matrix_engine_and_truth_table(tmp_path):
    result = run("learn", "--data", "and", "--engine", "matrix", "--epochs", "300", "--report", "r.json",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["test_predictions"] == [0, 0, 0, 1]
    assert report["messages"] is None and report["engine"] == "matrix"


@pytest.mark.subprocess
def test_save_info_predict_round_trip(tmp_path):
    write_iris(tmp_path / "iris.csv")
    learned = run("learn", "--data", "csv:iris.csv", "--layers", "4,6,3", "--epochs", "40", "--seed", "2",
                  "--save", "iris.json", "--report", "report.json", cwd=tmp_path)
    assert learned.returncode == 0, learned.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["test_accuracy"] > 0.8
    assert report["classes"] == ["setosa", "versicolor", "virginica"]

    info = run("info", "iris.json", "--json", cwd=tmp_path)
    assert info.returncode == 0, info.stderr
    facts = json.loads(info.stdout)
    assert [layer["neurons"] for layer in facts["layers"]] == [4, 6, 3]
    assert facts["synapses"] == 4 * 6 + 6 * 3 and facts["neurons"] == 13
    assert facts["classes"] == report["classes"]
    assert facts["training"]["epochs"] == 40 and facts["training"]["seed"] == 2
    assert facts["training"]["test_accuracy"] == report["test_accuracy"]
    shown = run("info", "iris.json", cwd=tmp_path)
    assert "4-6-3" in shown.stdout and "sigmoid" in shown.stdout and "cross_entropy" in shown.stdout

    predicted = run("predict", "iris.json", "--data", "csv:iris.csv", "--output", "predictions.csv",
                    cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    with open(tmp_path / "predictions.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 150
    again = [rows[i]["predicted"] for i in report["test_indices"]]
    assert again == report["test_predictions"]
    right = sum(r["predicted"] == r["label"] for r in rows)
    assert f"({right} of 150 right)" in predicted.stdout

    # values on the command line give what the file gave for the same example
    first = load_iris().data[report["test_indices"][0]]
    one = run("predict", "iris.json", "--values", ",".join(map(str, first)), cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    assert report["test_predictions"][0] in one.stdout


@pytest.mark.subprocess
def test_predicts_unlabelled_csv_with_the_models_features(tmp_path):
    write_iris(tmp_path / "iris.csv")
    assert run("learn", "--data", "csv:iris.csv", "--epochs", "3", "--save", "m.json", cwd=tmp_path).returncode == 0
    (tmp_path / "new.csv").write_text("a,b,c,d\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n")
    result = run("predict", "m.json", "--data", "csv:new.csv", "--output", "p.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(open(tmp_path / "p.csv")))
    assert len(rows) == 2 and "label" not in rows[0]
    assert {r["predicted"] for r in rows} <= {"setosa", "versicolor", "virginica"}
    assert "accuracy" not in result.stdout


@pytest.mark.subprocess
def test_learns_a_two_dimensional_set(tmp_path):
    result = run("learn", "--data", "gauss", "--points", "200", "--spread", "0.1", "--report", "g.json",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "g.json").read_text())
    assert report["train_examples"] == 160 and report["test_examples"] == 40
    assert report["test_accuracy"] >= 0.9


@pytest.mark.subprocess
def test_learns_from_mnist_idx_files(tmp_path):
    total = write_small_mnist(tmp_path)
    result = run("learn", "--data", f"mnist:{tmp_path}", "--epochs", "3", "--report", "m.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "m.json").read_text())
    assert report["layers"] == [64, 32, 10]
    assert report["train_examples"] + report["test_examples"] == total
    assert report["test_accuracy"] > 0.5


# -- Ctrl-C ----------------------------------------------------------------------------------------


@pytest.mark.subprocess
def test_ctrl_c_keeps_the_previous_model(tmp_path):
    model = tmp_path / "model.json"
    assert run("learn", "--data", "circle", "--epochs", "1", "--save", model, cwd=tmp_path).returncode == 0
    before = model.read_bytes()
    learning = subprocess.Popen(
        [*EXMACHINA, "learn", "--data", "circle", "--points", "4000", "--epochs", "20", "--seed", "3",
         "--save", str(model), "--report", "r.json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=environment(),
    )
    try:
        for line in learning.stderr:
            if line.split()[:1] == ["1/20"]:
                break
        learning.send_signal(signal.SIGINT)
        out, err = learning.communicate(timeout=60)
    finally:
        learning.kill()
    assert learning.returncode == 130, err
    assert "Traceback" not in out + err
    assert "interrupted during pass" in err and "passes completed" in err
    assert f"{model} left as it was" in err
    assert model.read_bytes() == before
    assert not (tmp_path / "r.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# -- bad input: one line, exit status 2 ------------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    """A folder of broken and good files (and a model trained on iris) for the refusals below."""
    tmp_path = tmp_path_factory.mktemp("files")
    good = " ".join(["0"] * 256 + ["1"] + ["0"] * 9)
    (tmp_path / "short.data").write_text(good + "\n" + " ".join(["0"] * 200) + "\n")
    (tmp_path / "word.data").write_text(good + "\n" + good.replace("0", "zero", 1) + "\n")
    (tmp_path / "empty.data").write_text("")
    (tmp_path / "empty.csv").write_text("")
    write_iris(tmp_path / "fields.csv", slice(0, 5), extra=[[1, 2, 3]])
    write_iris(tmp_path / "words.csv", slice(0, 5), extra=[[1, "two", 3, 4, "setosa"]])
    write_iris(tmp_path / "zebra.csv", slice(0, 5), extra=[[1, 2, 3, 4, "zebra"]])
    write_iris(tmp_path / "iris.csv")
    (tmp_path / "magic").mkdir()
    (tmp_path / "magic" / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x01" + bytes(8))
    (tmp_path / "magic" / "train-labels-idx1-ubyte").write_bytes(idx(np.zeros(2)))
    (tmp_path / "cut").mkdir()
    (tmp_path / "cut" / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx(np.ones((3, 2, 2)))[:-5]))
    (tmp_path / "cut" / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx(np.zeros(3))))
    (tmp_path / "garbage.json").write_text('{"format": "exmachina-network", "version": 1, "neurons": [')
    (tmp_path / "other.json").write_text('{"hello": "world"}')
    trained = run("learn", "--data", "csv:iris.csv", "--epochs", "1", "--save", "iris-model.json", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    return tmp_path


@pytest.mark.subprocess
@pytest.mark.parametrize("args, fragments", [
    (["learn", "--data", "semeion:short.data"], ["short.data, line 2", "expected 266 fields", "found 200"]),
    (["learn", "--data", "semeion:word.data"], ["word.data, line 2, field 1", "'zero' is not a number"]),
    (["learn", "--data", "semeion:empty.data"], ["empty.data", "no examples"]),
    (["learn", "--data", "semeion:missing.data"], ["missing.data", "No such file"]),
    (["learn", "--data", "csv:fields.csv"], ["fields.csv, line 7", "expected 5 fields", "found 3"]),
    (["learn", "--data", "csv:words.csv"], ["words.csv, line 7", "'two' is not a number"]),
    (["learn", "--data", "csv:empty.csv"], ["empty.csv", "empty file"]),
    (["learn", "--data", "csv:iris.csv", "--label", "colour"], ["iris.csv", "no column named 'colour'"]),
    (["learn", "--data", "mnist:magic"], ["train-images-idx3-ubyte", "bad magic number 00000801"]),
    (["learn", "--data", "mnist:cut"], ["train-images-idx3-ubyte.gz", "truncated", "record 2 of 3 is incomplete"]),
    (["learn", "--data", "mnist:nowhere"], ["nowhere", "no such directory"]),
    (["learn", "--data", "pictures"], ["unknown data 'pictures'"]),
    (["learn", "--activation", "foo"], ["--activation 'foo' is unknown", "sigmoid"]),
    (["learn", "--output-activation", "soft"], ["--output-activation 'soft' is unknown"]),
    (["learn", "--loss", "hinge"], ["--loss 'hinge' is unknown", "cross_entropy"]),
    (["learn", "--engine", "gpu"], ["--engine 'gpu': unknown engine", "actors"]),
    (["learn", "--epochs", "many"], ["--epochs"]),
    (["learn", "--frobnicate"], ["No such option: --frobnicate"]),
    (["learn", "--layers", "60,32,10"], ["first layer has 60 sensors", "64 features", "--layers 64,32,10"]),
    (["learn", "--layers", "64,32,9"], ["last layer has 9 outputs", "10 classes"]),
    (["learn", "--layers", "64,x,10"], ["--layers must be whole numbers"]),
    (["learn", "--test-fraction", "1"], ["--test-fraction"]),
    (["learn", "--learning-rate", "-1", "--data", "xor"], ["learning rate must be a positive number"]),
    (["learn", "--save", "nowhere/model.json"], ["--save nowhere/model.json", "no such directory"]),
    (["info", "garbage.json"], ["garbage.json", "not valid JSON", "line 1"]),
    (["info", "other.json"], ["other.json", "not an exmachina network"]),
    (["info", "missing.json"], ["missing.json", "No such file"]),
    (["predict", "garbage.json", "--values", "1,2"], ["garbage.json", "not valid JSON"]),
    (["predict", "iris-model.json", "--data", "csv:zebra.csv"], ["zebra.csv, line 7", "label 'zebra'"]),
    (["predict", "iris-model.json", "--data", "digits"], ["digits", "64 features", "4 sensors"]),
    (["predict", "iris-model.json", "--values", "1,2"], ["--values 1,2", "2 values", "4 sensors"]),
    (["predict", "iris-model.json", "--values", "1,b,3,4"], ["--values must be numbers"]),
    (["predict", "iris-model.json"], ["give either --data"]),
    (["trace", "iris-model.json", "--frobnicate"], ["trace: No such option: --frobnicate"]),
    (["explain", "--frobnicate"], ["explain: No such option: --frobnicate"]),
    (["watch", "iris-model.json", "--frobnicate"], ["watch: No such option: --frobnicate"]),
    (["trace", "iris-model.json", "--values", "1,2,3,"], ["--values must be numbers", "'1,2,3,'"]),
])
def test_bad_input_is_one_line_and_exit_status_2(files, args, fragments):
    before = sorted(p.name for p in files.rglob("*"))
    result = run(*args, cwd=files)
    assert_refused(result, *fragments)
    assert sorted(p.name for p in files.rglob("*")) == before  # nothing written, not even half a file


@pytest.mark.subprocess
def test_trace_takes_a_word_label_from_a_csv_file(files):
    """The model learned iris with the species as words; tracing an example teaches it that word."""
    done = run("trace", "iris-model.json", "--data", "csv:iris.csv", "--example", "60", "--jsonl", "-", cwd=files)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    head, *events = [json.loads(line) for line in done.stdout.splitlines()]
    with open(files / "iris.csv", newline="") as f:
        species = list(csv.DictReader(f))[60]["species"]
    assert species == "versicolor"
    teacher = [e for e in events if e["kind"] == "step" and e["phase"] == "teacher"]
    assert len(teacher) == 1
    classes = head["network"]["classes"]
    assert teacher[0]["desired"] == [1.0 if c == species else 0.0 for c in classes]
    table = run("trace", "iris-model.json", "--data", "csv:iris.csv", "--example", "60", "--all", cwd=files)
    assert table.returncode == 0 and "Teacher" in table.stdout, table.stderr


@pytest.mark.subprocess
def test_trace_shows_a_summary_with_outputs_named_by_class_and_no_padding(files):
    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:  # wide enough that no name wraps
        return commands.run(args, cwd, {**environment(), "COLUMNS": "200"}, timeout=300)

    summary = run("trace", "iris-model.json", "--data", "csv:iris.csv", "--example", "60", cwd=files)
    assert summary.returncode == 0, summary.stderr
    lines = summary.stdout.splitlines()
    assert "Each neuron's nine steps" in summary.stdout and "Forward wave" not in summary.stdout
    assert [line for line in lines if line != line.rstrip()] == []
    outputs = [line.split()[:3] for line in lines if " output " in line]
    names = json.loads((files / "iris-model.json").read_text())["classes"]
    assert [o[1] for o in outputs] == [f"({c})" for c in names] and all(o[2] == "output" for o in outputs)
    predicted = next(line for line in lines if line.startswith("The network predicts "))
    assert predicted.removeprefix("The network predicts ").rstrip(".") in names
    assert "Add --all for every message" in lines[-1]
    every = run("trace", "iris-model.json", "--data", "csv:iris.csv", "--example", "60", "--all", cwd=files)
    assert len(every.stdout.splitlines()) > 3 * len(lines) and "Backward wave" in every.stdout
    assert not [line for line in every.stdout.splitlines() if line != line.rstrip()]


@pytest.mark.subprocess
def test_learn_with_watch_serves_the_live_view_while_it_learns(tmp_path):
    import re
    import urllib.request

    process = subprocess.Popen(
        [*EXMACHINA, "learn", "--epochs", "3", "--watch", "--report", "report.json"],
        cwd=tmp_path, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stderr.readline()
        address = re.search(r"watch it learn at (http://127\.0\.0\.1:\d+)", line)
        assert address, line
        with urllib.request.urlopen(address.group(1) + "/", timeout=30) as page:
            assert page.status == 200 and b"exmachina" in page.read()
        with urllib.request.urlopen(address.group(1) + "/events", timeout=30) as events:  # a page opens:
            assert events.readline().strip() == b"event: network"  # the learning, which waited, begins
        said = [line]
        while "until Ctrl-C" not in said[-1]:  # learned; the page keeps the final state
            said.append(process.stderr.readline())
            assert said[-1], "".join(said)
        with urllib.request.urlopen(address.group(1) + "/", timeout=30) as page:
            assert page.status == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err  # served until Ctrl-C: 128 + SIGINT, as any command stops
    assert json.loads((tmp_path / "report.json").read_text())["epochs"] == 3


@pytest.mark.subprocess
def test_version(tmp_path):
    import exmachina

    for how in (EXMACHINA, MODULE):
        result = run("--version", cwd=tmp_path, how=how)
        assert result.returncode == 0 and result.stdout == f"exmachina {exmachina.__version__}\n"


@pytest.mark.subprocess
def test_predict_shows_the_inputs_the_label_and_each_class_probability(tmp_path):
    assert run("learn", "--data", "iris", "--save", "iris.json", cwd=tmp_path).returncode == 0
    result = run("predict", "iris.json", "--values", "5.1,3.5,1.4,0.2", "--values", "6.7,3.0,5.2,2.3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    head = next(line for line in result.stdout.splitlines() if "inputs" in line)
    assert [h.strip() for h in head.split("┃")[1:-1]] == ["inputs", "predicted", "setosa", "versicolor",
                                                          "virginica"]
    rows = [line.split("│")[1:-1] for line in result.stdout.splitlines() if line.startswith("│")]
    assert [(r[0].strip(), r[1].strip()) for r in rows] == [("5.1,3.5,1.4,0.2", "setosa"),
                                                           ("6.7,3.0,5.2,2.3", "virginica")]
    for row in rows:
        chances = [float(p) for p in row[2:]]
        assert abs(sum(chances) - 1) < 0.02 and max(chances) > 0.8
    labelled = run("predict", "iris.json", "--data", "iris", "--show", "3", cwd=tmp_path)
    first = next(line for line in labelled.stdout.splitlines() if line.startswith("│"))
    assert [f.strip() for f in first.split("│")[1:4]] == ["0", "setosa", "setosa"]
