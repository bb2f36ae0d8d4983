"""Writing files so that an interruption never leaves half of one behind, and nothing is lost.

The policy (docs/promises.md): a file is written beside its destination and takes its place only
once complete, with the old file's permission bits and owner. A symbolic link is written through:
the link stays and the file it points to is replaced. A read-only file, a directory, a device or
a FIFO is refused before anything is written.
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

STOPS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}  # held back while a file takes its place
TRUNCATED = 16  # characters of the destination's name kept in the temporary file's name


def destination(path: str | os.PathLike) -> Path:
    """The file that writing to `path` replaces: the end of its chain of symbolic links."""
    return Path(os.path.realpath(path))


def check_writable(path: str | os.PathLike) -> None:
    """Raise ValueError, naming `path`, unless a file can be written there in place of any old one.

    It tries: a temporary file is made (and removed) in the destination's folder, which finds a
    read-only file system or a folder without write permission, even for root.
    """
    target = destination(path)
    shown = f"{path}" if Path(os.path.abspath(path)) == target else f"{path} (a link to {target})"
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as bad:
        raise ValueError(f"{shown}: {bad.strerror}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise ValueError(f"{shown}: is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{shown}: not a regular file (a device, FIFO or socket is never overwritten)")
        if not st.st_mode & 0o222:
            raise ValueError(f"{shown}: the file is read-only (mode {stat.S_IMODE(st.st_mode):04o}); "
                             "make it writable or write elsewhere")
    folder = target.parent
    if not folder.is_dir():
        given = folder if shown != f"{path}" else os.path.dirname(path)
        raise ValueError(f"{shown}: no such directory {given}")
    try:
        with _held(STOPS):  # made and removed before any stop is let through
            fd, probe = _temporary(target)
            os.close(fd)
            os.unlink(probe)
    except OSError as bad:
        raise ValueError(f"{shown}: cannot write in {folder} ({bad.strerror})") from None


def _temporary(target: Path) -> tuple[int, str]:
    """A new file beside `target`, named after it but short (`.NAME.xxxxxxxx.tmp`, at most 30
    characters), so that a name near the file system's limit can still be written."""
    return tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:TRUNCATED]}.", suffix=".tmp")


@contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """A file beside `path` (`mode` "w" or "wb") that replaces it only once it is complete.

    A crash, an error, Ctrl-C, SIGTERM or SIGHUP while writing leaves the previous file as it was
    and no temporary file behind.
    """
    check_writable(path)
    target = destination(path)
    old = target.stat() if target.exists() else None
    fd = temporary = None
    replaced = False
    try:
        with _held(STOPS):  # a stop lands before the file exists or once this block may remove it
            fd, temporary = _temporary(target)
        if old is None:
            os.fchmod(fd, 0o666 & ~_umask())  # the permissions an ordinary new file would get
        else:
            _keep_owner(fd, old)
            os.fchmod(fd, stat.S_IMODE(old.st_mode))  # a private 0600 model stays private
        with os.fdopen(fd, mode) as f:
            fd = None  # closed with f
            yield f
            f.flush()
            os.fsync(f.fileno())  # on disk before it takes the old file's place
        with _held(STOPS):  # renamed, or not: never interrupted half-way through the bookkeeping
            os.replace(temporary, target)
            replaced = True
        # a stop held back until here is raised as the block ends: the new file is in place
    except BaseException as error:
        if not replaced:
            with _held(STOPS):
                if fd is not None:
                    os.close(fd)
                if temporary is not None:
                    os.unlink(temporary)
        if isinstance(error, OSError) and not replaced:  # a full disk: name the file, not the temporary
            kept = "the old file is left as it was" if old is not None else "nothing was written"
            raise OSError(error.errno, f"cannot write it ({error.strerror or error}); {kept}",
                          os.fspath(path)) from None
        raise


def _keep_owner(fd: int, old: os.stat_result) -> None:
    if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, old.st_uid, old.st_gid)
        except PermissionError:  # only root may give a file away; the permission bits still hold
            pass


@contextmanager
def _held(signals: set[int]) -> Iterator[None]:
    """The signals' handlers wait until the block is done, and then run.

    Masking the signals in this thread would not do: a signal sent to the process goes to any thread
    that does not mask it (NumPy's BLAS, a web server, Ray each start threads), and Python runs its
    handler in the main thread at once all the same. So the handlers themselves are set aside: a
    signal that comes is noted, and handed to its own handler as the block ends.
    """
    if threading.current_thread() is not threading.main_thread():  # handlers never run in this thread
        yield
        return
    came: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: came.append(signum)) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in came[:1]:  # the first stop is the one that counts
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)  # the command line's raises its stop here
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), signum)  # what the signal would have done


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
