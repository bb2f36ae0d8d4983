"""Ctrl-C, SIGTERM and SIGHUP stop a command the same way: one line, no traceback, no file left
half-written, and the exit status a shell expects (128 + the signal's number: 130 for Ctrl-C)."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .words import printable

NAMES = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}
AGAIN_AFTER = 0.01  # seconds: a stop that could not be raised comes again this much later
_received: list[int] = []  # the signals that came, in order
_said: list[str] = []  # the line that told the user, once said


class Stopped(KeyboardInterrupt):
    """The KeyboardInterrupt that each of the three signals raises, so every Ctrl-C handler meets all."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def install() -> None:
    """Each of the three signals raises `Stopped` and is remembered."""
    for signum in NAMES:
        signal.signal(signum, _stop)
    sys.unraisablehook = _again


def _stop(signum: int, frame: object) -> None:
    _received.append(signum)
    raise Stopped(signum)


def _again(unraisable: sys.UnraisableHookArgs) -> None:
    """A stop raised where Python cannot raise it (a weakref's or an import lock's callback, a
    `__del__`) would be printed with its traceback and forgotten: it is delivered again instead, to
    land in code that can stop."""
    if isinstance(unraisable.exc_value, Stopped):  # from another thread, a moment later: not inside this hook
        threading.Timer(AGAIN_AFTER, signal.pthread_kill, (threading.main_thread().ident,
                                                           unraisable.exc_value.signum)).start()
    else:
        sys.__unraisablehook__(unraisable)


def unwrapped(error: BaseException) -> BaseException:
    """The stop inside a RuntimeError: Python 3.11 wraps what a class's `__set_name__` raises, and a
    signal may land while a library makes such a class (pydantic does as Typer loads it)."""
    while isinstance(error, RuntimeError) and isinstance(error.__cause__, KeyboardInterrupt):
        error = error.__cause__
    return error


def status(stop: BaseException) -> int:
    return 128 + signum_of(stop)


def cause(stop: BaseException) -> str:
    return NAMES.get(signum_of(stop), "a signal")


def signum_of(stop: BaseException) -> int:
    """The signal behind a stop: its own, else the last that came (a library may raise a plain
    KeyboardInterrupt of its own for it, as Ray's calls do), else Ctrl-C."""
    return getattr(stop, "signum", _received[-1] if _received else signal.SIGINT)


def say(line: str) -> None:
    """The one line that says a stop happened and what it left behind."""
    if not _said:
        sys.stderr.write(f"{printable(line)}\n")  # it may name a file
        sys.stderr.flush()
    _said.append(line)


def status_of_last() -> int | None:
    """The exit status of the stop that ended a server's serving, which the server has said (None:
    no stop came)."""
    if not _received:
        return None
    _said.append("stopped")
    return 128 + _received[-1]


def unsaid() -> int | None:
    """The signal that stopped the run without a word (Typer turns a stop into status 130 silently)."""
    return _received[-1] if _received and not _said else None


@contextmanager
def starting() -> Iterator[None]:
    """While the commands load: a stop is one line, since nothing has been read or written yet."""
    try:
        yield
    except (KeyboardInterrupt, RuntimeError) as error:
        stop = unwrapped(error)
        if not isinstance(stop, KeyboardInterrupt):
            raise
        say(f"interrupted ({cause(stop)}) while starting: nothing was read or written")
        sys.exit(status(stop))
