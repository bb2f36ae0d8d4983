"""Ctrl-C, SIGTERM and SIGHUP at any moment: one line, the status a shell expects, the old model
intact and no temporary file behind. Real processes, real signals."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from exmachina import Network
from exmachina.data.files import atomic_file
from test_hostile_outputs import model_file

from test_cli import EXMACHINA, environment


def listening(pid: int) -> bool:
    """Whether exmachina has taken over SIGHUP: its first lines have run (however loaded the machine)."""
    with open(f"/proc/{pid}/status") as status:
        caught = next(int(line.split()[1], 16) for line in status if line.startswith("SigCgt:"))
    return bool(caught & 1 << (signal.SIGHUP - 1))


def stop(tmp_path, args, signum, when: str | float):
    """Start `exmachina ARGS`, send `signum` once stdout shows `when` (or `when` seconds after
    exmachina's own code has started)."""
    process = subprocess.Popen([*EXMACHINA, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=tmp_path, env=environment())
    try:
        if isinstance(when, str):
            assert when in process.stdout.readline()
        else:
            deadline = time.monotonic() + 30
            while not listening(process.pid) and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(when)
        process.send_signal(signum)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    return process.returncode, out, err


def assert_one_line(status: int, out: str, err: str, expected: int) -> str:
    assert status == expected, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted"), err
    assert "Traceback" not in out + err
    return lines[0]


@pytest.mark.subprocess
@pytest.mark.parametrize("signum, name", [(signal.SIGTERM, "SIGTERM"), (signal.SIGHUP, "SIGHUP"),
                                          (signal.SIGINT, "Ctrl-C")])
def test_a_stop_while_learning_keeps_the_old_model_and_leaves_no_temporary_file(tmp_path, signum, name):
    model = model_file(tmp_path / "m.json", 0o600)
    before = model.read_bytes()
    status, out, err = stop(tmp_path, ["learn", "--data", "xor", "--epochs", "1000000", "--save", "m.json",
                                       "--report", "r.json"], signum, when="Learning xor")
    line = assert_one_line(status, out, err, 128 + signum)
    assert f"({name})" in line and "m.json left as it was" in line
    assert model.read_bytes() == before and stat_mode(model) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def stat_mode(path) -> int:
    return os.stat(path).st_mode & 0o7777


@pytest.mark.subprocess
@pytest.mark.parametrize("delay", [0.0, 0.1])
def test_ctrl_c_while_the_command_starts_is_one_line_and_status_130(tmp_path, delay):
    status, out, err = stop(tmp_path, ["learn", "--data", "xor", "--epochs", "1000000"], signal.SIGINT, delay)
    assert_one_line(status, out, err, 130)


@pytest.mark.subprocess
def test_ctrl_c_while_loading_data_from_a_fifo_is_one_line(tmp_path):
    os.mkfifo(tmp_path / "data.csv")
    process = subprocess.Popen([*EXMACHINA, "learn", "--data", "csv:data.csv", "--save", "m.json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                               env=environment())
    try:
        with open(tmp_path / "data.csv", "w") as writer:  # opened once exmachina opens it to read
            writer.write("a,b,label\n0,1,1\n")
            writer.flush()
            time.sleep(0.2)  # exmachina is now reading, waiting for the rest
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    status = process.returncode
    assert "stopped" in assert_one_line(status, out, err, 130)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


@pytest.mark.subprocess
def test_stops_at_random_moments_never_lose_the_model_nor_leave_a_temporary_file(tmp_path):
    """Whatever the moment (start-up, learning, saving, the report), the model on disk is whole."""
    model = model_file(tmp_path / "m.json")
    rng = random.Random(13)
    for _ in range(8):
        status, out, err = stop(tmp_path, ["learn", "--data", "xor", "--epochs", "300", "--save", "m.json",
                                           "--report", "r.json"],
                                rng.choice([signal.SIGINT, signal.SIGTERM, signal.SIGHUP]), rng.uniform(0.0, 1.2))
        assert "Traceback" not in out + err
        if status < 0:  # the signal came as Python was exiting, its work done
            assert "Model saved to m.json" in out
        elif status:
            assert status in (130, 143, 129) and err.strip().splitlines()[-1].startswith("interrupted"), err
        assert Network.load(model).sensors == 2
        assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_signal_while_a_file_is_written_leaves_the_old_file(tmp_path):
    """In-process: SIGTERM raised as an exception half-way through writing (as the CLI sets it up)."""
    path = tmp_path / "out.txt"
    path.write_text("old")
    path.chmod(0o600)

    def raise_stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, raise_stop)
    try:
        with pytest.raises(KeyboardInterrupt):
            with atomic_file(path) as f:
                f.write("half")
                os.kill(os.getpid(), signal.SIGTERM)
                f.write("never")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert path.read_text() == "old" and stat_mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]



LANDS_WHILE_A_CLASS_IS_MADE = """
import os
import signal
import sys

from exmachina.cli import app
from exmachina.cli.interrupts import starting


class Lands:
    def __set_name__(self, owner, name):
        os.kill(os.getpid(), signal.SIG{name})  # the signal arrives while the class is being made


@app.command()
def made() -> None:
    class LazyLocalNamespace:  # as pydantic makes its classes while Typer loads it
        field = Lands()


if sys.argv[1] == "starting":
    with starting():
        made()
app()
"""


@pytest.mark.subprocess
@pytest.mark.parametrize("name, status", [("TERM", 143), ("INT", 130)])
@pytest.mark.parametrize("when", ["starting", "made"])
def test_a_stop_while_a_library_makes_a_class_is_one_line(tmp_path, name, status, when):
    """Python 3.11 wraps what a class's `__set_name__` raises in a RuntimeError: a stop that lands
    there (pydantic makes such classes as Typer loads it) is still a stop, not a traceback."""
    program = LANDS_WHILE_A_CLASS_IS_MADE.replace("{name}", name)
    done = subprocess.run([sys.executable, "-c", program, when], capture_output=True, text=True, cwd=tmp_path,
                          env=environment(), timeout=60)
    line = assert_one_line(done.returncode, done.stdout, done.stderr, status)
    assert ("while starting" in line) == (when == "starting")


@pytest.mark.subprocess
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_serving_watch_stopped_by_a_signal_exits_with_its_status(tmp_path, signum):
    """The live view serves until a stop: 143, 130 or 129, as `learn` ends, never 0."""
    model_file(tmp_path / "m.json")
    process = subprocess.Popen([*EXMACHINA, "watch", "m.json", "--data", "xor"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=environment())
    try:
        assert "watch it learn at http://127.0.0.1:" in process.stderr.readline()
        process.send_signal(signum)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 128 + signum, err
    assert "Traceback" not in out + err and err.strip().splitlines()[-1] == "stopped"


# A stop that lands while Python runs a callback it cannot raise from (a weakref's callback, here; an
# import lock's, in the run that found it): the handler's exception was printed as "Exception ignored"
# with its traceback, and the command went on as if nobody had asked it to stop.
LANDS_IN_A_CALLBACK = """
import os, signal, weakref
from exmachina.cli import interrupts
interrupts.install()
class Thing:
    pass
thing = Thing()
def callback(_):
    os.kill(os.getpid(), signal.SIGTERM)  # the stop lands here, inside the callback
    for _ in range(1000):
        pass
kept = weakref.ref(thing, callback)
try:
    del thing
    for _ in range(10_000_000):
        pass
    print("went on")
except interrupts.Stopped as stop:
    print("stopped by", stop.signum)
"""


@pytest.mark.subprocess
def test_a_stop_that_lands_in_a_callback_still_stops_the_command_without_a_traceback():
    done = subprocess.run([sys.executable, "-c", LANDS_IN_A_CALLBACK], capture_output=True, text=True,
                          env=environment(), timeout=60)
    assert done.stdout.strip() == f"stopped by {signal.SIGTERM.value}", done.stdout + done.stderr
    assert done.stderr == ""
