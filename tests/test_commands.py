"""The suite's forked commands (tests/commands.py) are what the `exmachina` script gives: the same
output and exit status, from the same folder (the files named relative to it) and environment."""

from __future__ import annotations

import subprocess

import pytest

from exmachina import Network

import commands
from test_cli import EXMACHINA, environment

CASES = [
    ["info", "m.json"],
    ["predict", "m.json", "--values", "0,1", "--values", "1,1"],
    ["learn", "--data", "xor", "--shards", "0"],  # refused: one line, status 2
    ["info", "absent.json"],
    ["learn", "--frobnicate"],
    ["--version"],
]


@pytest.mark.subprocess
@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_a_forked_command_says_what_the_script_says(tmp_path, args):
    Network.layered([2, 3, 2], seed=4).save(tmp_path / "m.json")
    script = subprocess.run([*EXMACHINA, *args], capture_output=True, text=True, cwd=tmp_path, env=environment(),
                            timeout=120)
    forked = commands.run(args, tmp_path, environment(), timeout=120)
    assert (forked.returncode, forked.stdout, forked.stderr) == (script.returncode, script.stdout, script.stderr)

