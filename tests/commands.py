"""`exmachina` commands as real processes, forked from one that has already imported the command line.

Each command is still a process of its own, with its own arguments, folder, environment, standard
streams, exit status and children, as `subprocess.run` gives; what it no longer pays for is a new
interpreter importing NumPy, Typer, Rich and the commands (about 0.7 CPU-seconds a command, most of
what the suite's few hundred commands cost). Tests about starting up itself (what a command imports,
a stop while it loads) start the real `exmachina` instead.

One forking process per pytest worker, started with the first command: it imports `exmachina.cli` and
then, for each command a test asks for, forks a child that takes the test's pipes as its standard
streams, moves to the test's folder and environment and runs the command as the `exmachina` script does.
Run as a script, this file is that forking process.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import NoReturn

EXMACHINA = str(Path(sys.executable).parent / "exmachina")


# -- the test's side -----------------------------------------------------------------------------


class Forker:
    """The forking process of this pytest worker, and the commands it runs for it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.folder = tempfile.mkdtemp(prefix="exmachina-fork-")
        self.address = os.path.join(self.folder, "socket")
        # its stdin stays open while this worker lives: when it closes, the forking process ends
        self.process = subprocess.Popen([sys.executable, __file__, self.address], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=env)
        if self.process.stdout.readline() != b"ready\n":
            raise RuntimeError(f"the forking process did not start (status {self.process.wait()})")
        atexit.register(self.close)

    def run(self, argv: list[str], cwd: Path | str | None, env: dict[str, str],
            timeout: float | None) -> subprocess.CompletedProcess:
        """Like `subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)`."""
        out, err = os.pipe(), os.pipe()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            pid, replies = ask(connection, self.address, argv, cwd, env, [0, out[1], err[1]])
            os.close(out[1])
            os.close(err[1])
            streams = [_Reader(out[0]), _Reader(err[0])]
            connection.settimeout(timeout)
            try:
                status = replies.readline()
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                connection.settimeout(None)
                replies.readline()
                raise subprocess.TimeoutExpired(argv, timeout, *(s.text() for s in streams)) from None
        return subprocess.CompletedProcess(argv, int(status), *(s.text() for s in streams))

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def ask(connection: socket.socket, address: str, argv: list[str], cwd: Path | str | None, env: dict[str, str],
        streams: list[int]) -> tuple[int, object]:
    """Ask the forking process at `address` for a command with these standard streams: its pid, and
    where its exit status will be said."""
    request = {"argv": argv, "cwd": os.path.abspath(cwd or os.getcwd()), "env": env}
    connection.connect(address)
    socket.send_fds(connection, [json.dumps(request).encode()], streams)
    replies = connection.makefile("r")
    return int(replies.readline()), replies


SCRIPT = """#!{python}
import os, sys
sys.path.insert(0, {tests!r})
import commands
sys.exit(commands.forward(sys.argv[1:]))
"""


def script(folder: Path) -> Path:
    """An `exmachina` script in `folder` that hands its command, its folder, environment and standard
    streams to this worker's forking process and exits with the command's status (for the README's
    shell blocks: put `folder` first on their PATH)."""
    here = folder / "exmachina"
    here.write_text(SCRIPT.format(python=sys.executable, tests=os.path.dirname(os.path.abspath(__file__))))
    here.chmod(0o755)
    return here


def forward(args: list[str]) -> int:
    """What the script runs: the command, as a shell sees its status (128 + N if signal N ended it)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        _, replies = ask(connection, os.environ["EXMACHINA_FORKER"], [EXMACHINA, *args], None, dict(os.environ),
                         [0, 1, 2])
        status = int(replies.readline())
    return status if status >= 0 else 128 - status


def address() -> str:
    """The socket of this worker's forking process (started if it was not), for `script`'s commands."""
    return _started().address


class _Reader:
    """All that a pipe carries until its last writer closes it (the command and what it started)."""

    def __init__(self, fd: int) -> None:
        self.fd, self.data = fd, bytearray()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with open(self.fd, "rb", closefd=True) as pipe:
            while chunk := pipe.read1(1 << 16):
                self.data += chunk

    def text(self) -> str:
        self.thread.join()
        return self.data.decode(errors="strict").replace("\r\n", "\n").replace("\r", "\n")  # as text=True


_forker: Forker | None = None

# What commands import as they run, imported once in the forking process too: NumPy's generators and
# masked arrays, Rich's emoji table and rule, Matplotlib and Pillow for `--plot` and `plot`
LATER = ("numpy.random", "numpy.ma", "importlib.readers", "rich._emoji_codes", "rich.rule", "matplotlib",
         "matplotlib.figure", "matplotlib.backends.backend_agg", "PIL.PngImagePlugin")


def close() -> None:
    """End this worker's forking process and wait for it (its commands' CPU time then counts as the
    worker's children's, as a command started by `subprocess` does)."""
    if _forker is not None:
        _forker.close()


def run(args: list, cwd: Path | str | None = None, env: dict[str, str] | None = None,
        timeout: float | None = None) -> subprocess.CompletedProcess:
    """`exmachina ARGS` in a process forked for it (see the module's docstring), as
    `subprocess.run(["exmachina", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)`."""
    return _started().run([EXMACHINA, *map(str, args)], cwd, dict(os.environ) if env is None else env, timeout)


def _started() -> Forker:
    global _forker
    if _forker is None:  # its own imports see no terminal settings: each command gets its test's
        quiet = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "COLUMNS")}
        _forker = Forker({**quiet, "PYTHONUNBUFFERED": "1"})
    return _forker


# -- the forking process -------------------------------------------------------------------------


def serve(address: str) -> dict | None:
    """Fork a child for each request; in the parent, report its pid and then its exit status. Returns
    the request in the child (which then runs it), None in the parent once the worker has gone."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(16)
    chooser = selectors.DefaultSelector()
    chooser.register(listener, selectors.EVENT_READ, "listener")
    chooser.register(sys.stdin, selectors.EVENT_READ, "worker")
    waiting: dict[int, tuple[int, socket.socket]] = {}  # pidfd -> (pid, the connection that asked)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        for key, _ in chooser.select():
            if key.data == "worker":  # the worker closed our stdin: it is done
                for pid, _ in waiting.values():
                    os.waitpid(pid, 0)
                return None
            if key.data == "listener":
                connection, _ = listener.accept()
                message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
                request = json.loads(message)
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    for target, fd in enumerate(fds):
                        os.dup2(fd, target)
                    for fd in fds:
                        os.close(fd)
                    for pidfd, (_, other) in waiting.items():
                        os.close(pidfd)
                        other.close()
                    chooser.close()
                    listener.close()
                    connection.close()
                    return request
                for fd in fds:
                    os.close(fd)
                connection.sendall(f"{pid}\n".encode())
                pidfd = os.pidfd_open(pid)
                waiting[pidfd] = (pid, connection)
                chooser.register(pidfd, selectors.EVENT_READ, "child")
            else:  # a child ended
                pidfd = key.fd
                pid, connection = waiting.pop(pidfd)
                chooser.unregister(pidfd)
                os.close(pidfd)
                _, status = os.waitpid(pid, 0)
                try:
                    connection.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
                except OSError:
                    pass  # the test stopped waiting
                connection.close()


def command(request: dict) -> NoReturn:
    """Become `exmachina ARGV...` run in the request's folder and environment, and end as Python ends
    (its threads joined, its exit functions run, its streams flushed) but without tearing down every
    object inherited from the forking process, which would copy the pages they lie on."""
    import numpy as np

    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = request["argv"]
    np.random.seed()  # a new process's global generator is not its parent's (Python's `random` reseeds itself)
    from exmachina.cli import app

    try:
        app()
        status = 0
    except SystemExit as done:
        status = _status(done.code)
    except KeyboardInterrupt:
        traceback.print_exc()
        status = -signal.SIGINT  # as Python ends on a Ctrl-C nobody caught: by the signal
    except BaseException:
        traceback.print_exc()
        status = 1
    threading._shutdown()  # as the interpreter does: wait for the threads that are not daemons
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            pass
    if status < 0:
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    os._exit(status)


def _status(code: object) -> int:
    """The exit status that `sys.exit(code)` gives."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.path[0] = os.path.dirname(EXMACHINA)  # as the `exmachina` script has it
    import importlib

    for module in ("exmachina.cli", *LATER):
        importlib.import_module(module)
    gc.freeze()  # the collector leaves what is here alone in the children: their pages stay shared

    asked = serve(sys.argv[1])
    if asked is not None:
        command(asked)
