"""Files are written whole or not at all, with the permissions of any new file."""

from __future__ import annotations

import os

import pytest

from exmachina.data.files import atomic_file


def test_a_written_file_has_ordinary_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        with atomic_file(tmp_path / "out.txt") as f:
            f.write("whole")
    finally:
        os.umask(mask)
    assert (tmp_path / "out.txt").read_text() == "whole"
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o644


def test_an_interrupted_write_keeps_the_old_file_and_leaves_nothing_else(tmp_path):
    (tmp_path / "out.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_file(tmp_path / "out.txt") as f:
            f.write("half")
            raise KeyboardInterrupt
    assert (tmp_path / "out.txt").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
