"""Hostile outputs, run as real subprocesses on real files: an output onto an input or onto another
output, and saving over files that must keep their permissions, links and contents."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from exmachina import Network

from test_cli import EXMACHINA, assert_refused, run


def model_file(path: Path, mode: int | None = None) -> Path:
    """A small trained-looking model for xor (2-3-1, squared error), written in-process."""
    net = Network.layered([2, 3, 1], loss="squared", seed=1)
    net.blueprint.classes = [0, 1]
    net.save(path)
    if mode is not None:
        path.chmod(mode)
    return path


def untouched(folder: Path) -> dict[str, bytes]:
    """Every file in a folder with its bytes, to prove a refusal changed nothing and left nothing."""
    return {p.name: p.read_bytes() if p.is_file() else b"<dir>" for p in sorted(folder.iterdir())}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    model_file(tmp_path / "m.json")
    (tmp_path / "d.csv").write_text("a,b,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    (tmp_path / "sub").mkdir()
    os.symlink("m.json", tmp_path / "link.json")
    os.link(tmp_path / "m.json", tmp_path / "hard.json")
    return tmp_path


# -- an output that is also an input, or another output -------------------------------------------

CLASHES = [
    (["learn", "--data", "xor", "--save", "r.json", "--report", "r.json"], "are the same file"),
    (["learn", "--data", "xor", "--save", "sub/../r.json", "--report", "r.json"], "are the same file"),
    (["learn", "--data", "xor", "--save", "m.json", "--report", "link.json"], "are the same file"),
    (["learn", "--data", "xor", "--save", "hard.json", "--report", "m.json"], "are the same file"),
    (["learn", "--data", "csv:d.csv", "--save", "d.csv"], "the file that --data reads"),
    (["learn", "--data", "csv:d.csv", "--report", "./d.csv"], "the file that --data reads"),
    (["predict", "m.json", "--values", "0,1", "--output", "m.json"], "the file that MODEL reads"),
    (["predict", "link.json", "--values", "0,1", "--output", "m.json"], "the file that MODEL reads"),
    (["predict", "m.json", "--values", "0,1", "--output", "hard.json"], "the file that MODEL reads"),
    (["predict", "m.json", "--data", "csv:d.csv", "--output", "d.csv"], "the file that --data reads"),
    (["trace", "m.json", "--values", "0,1", "--target", "1", "--learn", "--save", "m.json"], "MODEL reads"),
    (["trace", "m.json", "--values", "0,1", "--jsonl", "link.json"], "the file that MODEL reads"),
    (["trace", "m.json", "--values", "0,1", "--learn", "--jsonl", "t.jsonl", "--save", "t.jsonl"], "same file"),
    (["watch", "m.json", "--data", "xor", "--epochs", "1", "--save", "hard.json"], "the file that MODEL reads"),
]


@pytest.mark.subprocess
@pytest.mark.parametrize("args, fragment", CLASHES, ids=[" ".join(a) for a, _ in CLASHES])
def test_an_output_onto_an_input_or_another_output_is_refused_before_any_work(folder, args, fragment):
    before = untouched(folder)
    result = run(*args, cwd=folder)
    assert_refused(result, fragment)
    assert result.stdout == ""  # refused before learning, predicting or serving
    assert untouched(folder) == before


# -- saving over an existing file ------------------------------------------------------------------


@pytest.mark.subprocess
def test_a_private_model_stays_private_when_learn_saves_over_it(tmp_path):
    model = model_file(tmp_path / "m.json", 0o600)
    assert run("learn", "--data", "xor", "--epochs", "2", "--save", model, cwd=tmp_path).returncode == 0
    assert stat.S_IMODE(model.stat().st_mode) == 0o600
    assert Network.load(model).blueprint.training["epochs"] == 2


@pytest.mark.subprocess
def test_predictions_written_over_a_file_keep_its_permission_bits(tmp_path):
    model = model_file(tmp_path / "m.json")
    out = tmp_path / "p.csv"
    out.write_text("old")
    out.chmod(0o640)
    assert run("predict", model, "--values", "0,1", "--output", out, cwd=tmp_path).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and out.read_text().startswith("example")


@pytest.mark.subprocess
def test_saving_onto_a_symbolic_link_replaces_the_file_it_points_to_and_keeps_the_link(tmp_path):
    (tmp_path / "models").mkdir()
    target = model_file(tmp_path / "models" / "real.json", 0o640)
    link = tmp_path / "current.json"
    os.symlink("models/real.json", link)
    assert run("learn", "--data", "xor", "--epochs", "3", "--save", link, cwd=tmp_path).returncode == 0
    assert link.is_symlink() and os.readlink(link) == "models/real.json"
    assert Network.load(target).blueprint.training["epochs"] == 3
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["real.json"]


@pytest.mark.subprocess
def test_a_dangling_link_is_written_through_to_the_file_it_names(tmp_path):
    link = tmp_path / "m.json"
    os.symlink("new.json", link)
    assert run("learn", "--data", "xor", "--epochs", "1", "--save", link, cwd=tmp_path).returncode == 0
    assert link.is_symlink() and Network.load(tmp_path / "new.json").blueprint.training["epochs"] == 1


@pytest.mark.subprocess
@pytest.mark.parametrize("command", [
    ["learn", "--data", "xor", "--save", "ro.json"],
    ["learn", "--data", "xor", "--report", "ro.json"],
    ["predict", "m.json", "--values", "0,1", "--output", "ro.json"],
    ["trace", "m.json", "--values", "0,1", "--learn", "--save", "ro.json"],
])
def test_a_read_only_file_is_refused_before_any_work_even_for_root(folder, command):
    (folder / "ro.json").write_text("keep me")
    (folder / "ro.json").chmod(0o444)
    before = untouched(folder)
    result = run(*command, cwd=folder)
    assert_refused(result, "ro.json", "read-only (mode 0444)")
    assert result.stdout == "" and untouched(folder) == before


@pytest.mark.subprocess
@pytest.mark.parametrize("name, fragment", [
    ("/dev/null", "not a regular file"),
    ("fifo", "not a regular file"),
    ("sub", "is a directory"),
    ("nowhere/m.json", "no such directory"),
    ("/proc/m.json", "cannot write in /proc"),
])
def test_a_save_that_could_never_be_written_is_refused_before_learning(folder, name, fragment):
    os.mkfifo(folder / "fifo")
    result = run("learn", "--data", "xor", "--save", name, timeout=30, cwd=folder)
    assert_refused(result, fragment)
    assert result.stdout == ""
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def can_mount() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-m", "true"], capture_output=True).returncode == 0


@pytest.mark.subprocess
@pytest.mark.skipif(not can_mount(), reason="needs a mount namespace (unshare -m) for a read-only file system")
def test_a_report_on_a_read_only_file_system_is_refused_before_learning(tmp_path):
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "report.json").write_text("old report")
    script = (f"mount --bind {tmp_path}/ro {tmp_path}/ro && mount -o remount,ro,bind {tmp_path}/ro && "
              f"exec {EXMACHINA[0]} learn --data xor --report {tmp_path}/ro/report.json")
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert_refused(result, "report.json", "Read-only file system")
    assert result.stdout == ""
    assert (tmp_path / "ro" / "report.json").read_text() == "old report"


@pytest.mark.subprocess
def test_plot_refuses_to_draw_over_its_report_and_reads_no_device(tmp_path):
    (tmp_path / "r.json").write_text("{}")
    assert_refused(run("plot", "r.json", "--output", "r.json", cwd=tmp_path), "the file that REPORT reads")
    assert (tmp_path / "r.json").read_text() == "{}"
    assert_refused(run("plot", "/dev/zero", "--output", tmp_path / "p.png", timeout=30), "not a data file")


@pytest.mark.subprocess
@pytest.mark.skipif(not can_mount(), reason="needs a mount namespace (unshare -m) for a small file system")
def test_a_full_disk_keeps_the_old_model_and_names_it_in_one_line(tmp_path):
    """A real tmpfs of 64 KiB, filled up: the new model cannot be written; the old one stays whole,
    the error names it, and no temporary file is left."""
    model_file(tmp_path / "old.json")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (f"mount -t tmpfs -o size=64k tmpfs {disk} && cp {tmp_path}/old.json {disk}/m.json && "
              f"(dd if=/dev/zero of={disk}/filler bs=4k 2>/dev/null; true) && "
              f"{EXMACHINA[0]} learn --data xor --epochs 1 --save {disk}/m.json; status=$?; "
              f"cp {disk}/m.json {tmp_path}/after.json; ls -A {disk} > {tmp_path}/listing; exit $status")
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr  # the passes' lines came before
    assert result.stderr.splitlines()[-1] == (f"error: {disk}/m.json: cannot write it (No space left on device); "
                                              "the old file is left as it was")
    assert (tmp_path / "after.json").read_bytes() == (tmp_path / "old.json").read_bytes()
    assert (tmp_path / "listing").read_text().split() == ["filler", "m.json"]
