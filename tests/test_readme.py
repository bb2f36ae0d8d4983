"""Every shell block of the README, run in order in a fresh copy of the repository, as written.

The blocks share one folder, so a recipe can only use the files that earlier blocks wrote. Blocks
that install software are named below with the reason they are not run by the suite;
EXMACHINA_README_INSTALL=1 runs the first command's install in a fresh virtual environment too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import commands

pytestmark = pytest.mark.xdist_group("readme")  # the blocks run in order, in one folder, on one worker

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"^```sh\n(.*?)^```", README, flags=re.S | re.M)

# Blocks the suite does not run, by a fragment of their text, and why.
NOT_RUN = {
    "pip install . && exmachina learn": "installs exmachina into a new virtual environment (about two minutes "
                                        "with the compile; EXMACHINA_README_INSTALL=1 runs it)",
    'pip install ".[test]" && pytest': "installs Chromium with apt-get and runs this very suite",
    'pip install ".[cluster]"': "installs into the running environment (the suite's own has Ray already)",
    "ray stop": "`ray stop` stops every Ray process on the machine, other runs' clusters included",
}
SLOW = ("exmachina trace digits.json", "--data semeion", "--shards 2")  # blocks that take more than a few seconds


def not_run(block: str) -> str | None:
    return next((why for fragment, why in NOT_RUN.items() if fragment in block), None)


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A fresh copy of the repository's files (what `git clone` gives), without builds or environments."""
    folder = tmp_path_factory.mktemp("clone")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in filter(None, listed.stdout.split("\0")):
        if (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    return folder


def shell(block: str, folder: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a block with bash, stopping at the first failing command, with `exmachina` on the PATH: each
    command forked from a process that has imported the commands (tests/commands.py), as a process of
    its own with the block's streams, folder and environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "COLUMNS")}
    forked = folder.parent / "forked"
    if not (forked / "exmachina").exists():
        forked.mkdir(exist_ok=True)
        commands.script(forked)
    env["EXMACHINA_FORKER"] = commands.address()
    env["PATH"] = os.pathsep.join([str(forked), str(Path(sys.executable).parent), env.get("PATH", "")])
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_the_blocks_not_run_are_the_named_ones():
    skipped = [block for block in BLOCKS if not_run(block)]
    assert len(skipped) == len(NOT_RUN)  # each reason names exactly one block, so no other block is left out
    assert len(BLOCKS) - len(skipped) >= 4


def test_the_blocks_go_to_one_worker(request):
    """Under `--dist loadgroup` (the suite's default) this file's tests carry their group in their id,
    which is what sends them to one worker: without it (pytest-xdist 3.8 under pytest 9.2, before
    tests/conftest.py's `grouped`) each block ran on whichever worker was free, in that worker's clone."""
    distributed = getattr(request.config.option, "loadgroup", False)
    assert not distributed or request.node.nodeid.endswith("@readme"), request.node.nodeid


def test_the_readme_names_the_exmachina_reference_set_up():
    command = ("exmachina learn --data semeion --layers 256,8,10 --activation sigmoid --loss squared "
               "--learning-rate 2.0 --epochs 20")
    assert any(command in block for block in BLOCKS)
    assert "its `mix learn`" in README


def marks(block: str) -> list[pytest.MarkDecorator]:
    return [pytest.mark.slow] * any(s in block for s in SLOW) + [pytest.mark.ray] * ("--shards" in block)


@pytest.mark.subprocess
@pytest.mark.parametrize("number", [
    pytest.param(n, marks=marks(b), id=f"block {n}") for n, b in enumerate(BLOCKS) if not not_run(b)
])
def test_block_runs_as_written(clone, number):
    block = BLOCKS[number]
    done = shell(block, clone)
    assert done.returncode == 0, f"block {number}:\n{block}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.skipif(not os.environ.get("EXMACHINA_README_INSTALL"), reason=NOT_RUN["pip install . && exmachina learn"])
def test_the_first_command_installs_and_learns_in_a_fresh_environment(clone):
    first = next(b for b in BLOCKS if "pip install . && exmachina learn" in b)
    done = shell(first, clone, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "What the network learned" in done.stdout
