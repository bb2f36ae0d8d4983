"""Files are written whole or not at all, with the permissions of any new file."""

from __future__ import annotations

import os
import threading

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


def raising_on(signum: int):
    """Install a handler that turns `signum` into KeyboardInterrupt, as the command line does."""
    import signal

    def stop(number, frame):
        raise KeyboardInterrupt

    return signal.signal(signum, stop)


@pytest.mark.parametrize("moment", ["rename", "make"])
def test_a_stop_held_back_during_the_rename_or_the_making_is_a_stop_not_an_error(tmp_path, monkeypatch, moment):
    """The signal comes while it is held back (during the rename, or while the temporary file is
    made): it is delivered once the signals are let through, and must be the stop it is, never an
    error about a temporary file that the rename already took away; nothing is left behind."""
    import signal
    import tempfile

    (tmp_path / "out.txt").write_text("old")
    real = {"rename": os.replace, "make": tempfile.mkstemp}[moment]

    calls = []

    def signalled(*args, **kwargs):
        made = real(*args, **kwargs)
        calls.append(args)
        if moment == "rename" or len(calls) == 2:  # mkstemp's first call only probes the folder
            os.kill(os.getpid(), signal.SIGTERM)  # just after the step: a stop that lands right there
        return made

    monkeypatch.setattr(os if moment == "rename" else tempfile, "replace" if moment == "rename" else "mkstemp",
                        signalled)
    previous = raising_on(signal.SIGTERM)
    done = threading.Event()  # another thread, as NumPy's BLAS or a web server starts: the kernel may
    waiting = threading.Thread(target=done.wait)  # give it the signal, Python runs the handler anyway
    waiting.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            with atomic_file(tmp_path / "out.txt") as f:
                f.write("new")
    finally:
        signal.signal(signal.SIGTERM, previous)
        done.set()
        waiting.join()
    assert (tmp_path / "out.txt").read_text() == ("new" if moment == "rename" else "old")
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_name_at_the_file_system_limit_can_be_written(tmp_path):
    """The temporary file's name stays short, whatever the destination's (255 bytes at most here)."""
    path = tmp_path / ("m" * 250 + ".json")
    with atomic_file(path) as f:
        f.write("whole")
    assert path.read_text() == "whole" and [p.name for p in tmp_path.iterdir()] == [path.name]
