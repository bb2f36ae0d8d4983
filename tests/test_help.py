"""`exmachina learn --help` reads at 80 columns: its options in groups, no line wider than the terminal."""

from __future__ import annotations

import os
import re

import pytest

import commands

GROUPS = {"Data": ["--data", "--label", "--test-fraction", "--scale"],
          "Network": ["--layers", "--activation", "--loss"],
          "Learning": ["--epochs", "--learning-rate", "--batch", "--in-flight", "--noise", "--seed", "--engine"],
          "Output": ["--save", "--report", "--plot"], "Live view": ["--watch", "--host", "--port", "--paused"],
          "Shards": ["--shards", "--cluster", "--partition"]}


@pytest.mark.subprocess
def test_learn_help_groups_its_options_and_fits_80_columns():
    shown = commands.run(["learn", "--help"], env={**os.environ, "COLUMNS": "80", "TERM": "dumb"}, timeout=60)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    group = None
    found: dict[str, list[str]] = {}
    for line in lines:
        title = re.match(r"╭─ (.+?) ─", line)
        if title:
            group = title.group(1)
        option = re.match(r"│ (--[a-z-]+)", line)
        if option:
            found.setdefault(group, []).append(option.group(1))
    for name, options in GROUPS.items():
        assert set(options) <= set(found.get(name, [])), (name, found.get(name))
