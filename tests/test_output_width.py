"""`trace` and `explain` fit the terminal they are read on, 80 columns or 120, piped or paged: a
line wraps between words, a long name may be folded, and no number is ever cut; nor in `learn`'s tables."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from exmachina import Network

import commands

EXMACHINA = [sys.executable, "-m", "exmachina"]
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
STYLE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
LONG_NAME = "a-cultivar-whose-name-is-far-too-long-for-any-column"
TRACE = ["trace", "net.json", "--values", "0.2,0.4,0.6", "--target", LONG_NAME]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A small network whose second class has a name longer than any column at 80 columns."""
    folder = tmp_path_factory.mktemp("width")
    net = Network.layered([3, 4, 2], seed=2)
    net.fit([[0.0, 1.0, 0.5], [1.0, 0.0, 0.2]], ["setosa", LONG_NAME], epochs=1, learning_rate=0.3)
    net.save(folder / "net.json")
    return folder


def environment(columns: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE")}
    return env if columns is None else {**env, "COLUMNS": columns}


def piped(args: list[str], folder: Path, columns: str | None) -> str:
    done = commands.run(args, folder, environment(columns), timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def numbers(text: str) -> Counter:
    """Every number in the text, as written: a number cut in two, or cut short by an ellipsis, is
    another number (or two)."""
    return Counter(NUMBER.findall(text))


def fits(text: str, width: int) -> None:
    lines = text.splitlines()
    assert [line for line in lines if len(line) > width] == []
    assert [line for line in lines if line != line.rstrip()] == []  # no padding either


@pytest.mark.subprocess
@pytest.mark.parametrize("args", [[*TRACE, "--all"], TRACE, ["explain"]], ids=["trace --all", "trace", "explain"])
def test_piped_output_fits_the_columns_and_shows_every_number_whole(folder, args):
    whole = piped(args, folder, "1000")  # as wide as anything in it: nothing wraps
    assert max(len(line) for line in whole.splitlines()) > 80  # so there is something to wrap
    for columns in ("80", "120", None):  # None: no COLUMNS and no terminal, so 80
        text = piped(args, folder, columns)
        fits(text, int(columns or 80))
        assert numbers(text) == numbers(whole), columns
        assert "…" not in text  # nothing cut short
    if args[0] == "trace":  # at 80 columns the long class name is folded in the tables
        assert text.count(LONG_NAME) < whole.count(LONG_NAME)


@pytest.mark.subprocess
def test_trace_on_a_terminal_is_paged_and_fits_it(folder):
    """On a terminal `trace` hands its text to the pager ($PAGER, here one that marks every line)."""
    ours, theirs = pty.openpty()
    env = {**environment("80"), "PAGER": "sed 's/^/|/'", "TERM": "xterm"}
    process = subprocess.Popen([*EXMACHINA, *TRACE, "--all"], stdin=theirs, stdout=theirs, stderr=subprocess.PIPE,
                               cwd=folder, env=env)
    os.close(theirs)
    seen = b""
    while True:
        try:
            chunk = os.read(ours, 1 << 16)
        except OSError:  # the terminal's other end closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(ours)
    assert process.wait(timeout=120) == 0, process.stderr.read()
    lines = STYLE.sub("", seen.decode()).replace("\r", "").splitlines()
    assert lines and all(line.startswith("|") for line in lines)  # every line went through the pager
    text = "\n".join(line[1:] for line in lines)
    assert [line for line in text.splitlines() if len(line) > 80] == []
    assert numbers(text) == numbers(piped([*TRACE, "--all"], folder, "1000"))


@pytest.mark.subprocess
def test_a_huge_loss_is_shown_whole_in_scientific_notation(tmp_path):
    """A rate of 1e300 sends the held-out example's loss to about 1e162: written with four decimals it
    took 170 characters and was cut short in the table of what the network learned."""
    (tmp_path / "tiny.csv").write_text("a,b,label\n1,2,x\n3,4,y\n")
    text = piped(["learn", "--data", "csv:tiny.csv", "--epochs", "1", "--learning-rate", "1e300"], tmp_path, None)
    test_row = next(line for line in text.splitlines() if line.lstrip("│ ").startswith("test"))
    loss = float(test_row.split("│")[3])
    assert loss > 1e100 and "e+" in test_row.split("│")[3]
    assert "…" not in text
