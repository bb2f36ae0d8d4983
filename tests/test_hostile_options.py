"""Options that ask for the impossible are refused at once, in one line, before any work; a run that
diverges says so, saves nothing and writes a strict JSON report. Real subprocesses."""

from __future__ import annotations

import json
import socket

import pytest

from test_hostile_models import measured
from test_hostile_outputs import model_file

from test_cli import assert_refused, run

IMPOSSIBLE = [
    (["learn", "--seed", "-1"], "--seed -1: a seed must be a whole number from 0 to 4294967295"),
    (["learn", "--seed", str(2**32)], ": a seed must be a whole number"),
    (["learn", "--watch", "--port", "70000"], "--port 70000: a port is a number from 0 to 65535"),
    (["learn", "--learning-rate", "-1"], "--learning-rate -1.0: the learning rate must be a positive"),
    (["learn", "--learning-rate", "nan"], "--learning-rate nan: the learning rate must be a positive"),
    (["learn", "--epochs", "-3"], "--epochs -3: the passes must be 0 or more"),
    (["learn", "--batch", "0"], "--batch 0: a batch must hold at least 1 example"),
    (["learn", "--in-flight", "0"], "--in-flight 0: at least 1 example must be in flight"),
    (["learn", "--data", "digit"], "unknown data 'digit'; did you mean 'digits'? choose one of digits |"),
    (["learn", "--data", "cvs:d.csv"], "unknown data 'cvs:d.csv'; did you mean 'csv:d.csv'?"),
    (["learn", "--in-flight", str(2**31)], "--in-flight 2147483648: at least 1 example must be in flight, and at most"),
    (["learn", "--noise", "inf"], "--noise inf: the noise must be 0 or a positive number"),
    (["learn", "--test-fraction", "1"], "--test-fraction 1.0: the share held back must be"),
    (["learn", "--data", "circle", "--spread", "2"], "--spread 2.0: the spread must be between 0 and 1"),
    (["learn", "--data", "circle", "--points", "3"], "--points 3: there must be at least 4 points"),
    (["learn", "--engine", "matrix", "--in-flight", "4"], "the matrix engine has no examples in flight"),
    (["learn", "--watch", "--host", "no.such.host.invalid"], "--host no.such.host.invalid: not an address"),
    (["learn", "--watch", "--host", "192.0.2.1"], "cannot serve on 192.0.2.1:0"),
    (["predict", "m.json", "--values", "0,1", "--show", "-1"], "--show -1: the predictions shown must be"),
    (["predict", "m.json", "--data", "circle", "--seed", "-5"], "--seed -5: a seed must be"),
    (["trace", "m.json", "--data", "xor", "--example", "-2"], "--example -2: examples are numbered from 0"),
    (["trace", "m.json", "--values", "0,1", "--learning-rate", "0"], "--learning-rate 0.0: the learning rate must be"),
    (["watch", "m.json", "--data", "xor", "--port", "-1"], "--port -1: a port is a number"),
    (["watch", "m.json", "--data", "xor", "--epochs", "1", "--learning-rate", "-2"], "--learning-rate -2.0: the"),
]


@pytest.mark.subprocess
@pytest.mark.parametrize("args, fragment", IMPOSSIBLE, ids=[" ".join(a) for a, _ in IMPOSSIBLE])
def test_an_impossible_option_is_refused_at_once(tmp_path, args, fragment):
    model_file(tmp_path / "m.json")
    result = run(*args, cwd=tmp_path, timeout=60)
    assert_refused(result, fragment)
    assert result.stdout == ""  # nothing loaded, learned or served


@pytest.mark.subprocess
def test_a_port_already_taken_is_refused_before_learning(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("learn", "--watch", "--port", port, cwd=tmp_path, timeout=60)
    assert_refused(result, f"cannot serve on 127.0.0.1:{port} (Address already in use)")
    assert result.stdout == ""


@pytest.mark.parametrize("args, estimate", [
    (["--data", "xor", "--layers", "2,100000000,1"], "300,000,000 synapses and 100,000,003 neurons would need about"),
    (["--data", "xor", "--layers", "2,30000,30000,30000,1"], "1,800,090,000 synapses"),
    (["--data", "circle", "--points", "1000000000"], "--points 1,000,000,000 would need about 372.5 GiB"),
])
def test_layers_or_points_beyond_memory_are_refused_naming_the_estimate_without_allocating(args, estimate):
    status, peak, err = measured("learn", *args)
    assert status == 2 and estimate in err and "is available" in err and len(err.splitlines()) == 1
    assert peak < 300 << 20


# -- divergence ------------------------------------------------------------------------------------

DIVERGING = ["learn", "--data", "circle", "--activation", "identity", "--loss", "squared", "--layers", "2,8,1",
             "--learning-rate", "100", "--epochs", "30"]


def no_constant(name: str) -> None:
    raise AssertionError(f"{name} in a strict JSON report")


@pytest.mark.subprocess
def test_a_diverging_run_says_so_keeps_the_old_model_and_reports_strict_json(tmp_path):
    model = model_file(tmp_path / "m.json", 0o640)
    before = model.read_bytes()
    result = run(*DIVERGING, "--save", "m.json", "--report", "r.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "Traceback" not in result.stderr and "Warning" not in result.stderr
    assert "the weights diverged during pass 1" in error[0] and "m.json left as it was" in error[0]
    assert "try a lower --learning-rate than 100, such as 10" in error[0]
    assert model.read_bytes() == before
    report = json.loads((tmp_path / "r.json").read_text(), parse_constant=no_constant)
    assert report["diverged"] == 1 and report["model"] is None and report["history"][0]["loss"] is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "r.json"]


@pytest.mark.subprocess
def test_a_diverging_run_without_a_model_saves_nothing(tmp_path):
    result = run(*DIVERGING, "--save", "new.json", cwd=tmp_path)
    assert result.returncode == 1 and "nothing saved" in result.stderr
    assert list(tmp_path.iterdir()) == []
