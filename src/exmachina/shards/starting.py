"""Ray started here or joined, in one line when it cannot be: what the shards run on.

Ray's own messages are long (a C++ log, a traceback, retries for minutes): each way it fails that a
user meets is turned into one line that says what to try, before the run has done any work.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

START_AGAIN = 1  # starts of Ray after the first that timed out


class RayUnavailable(RuntimeError):
    """Ray's own processes did not start: the machine's doing, not the command's (exit status 1)."""


RAY_PROCESS_BYTES = 4 << 30  # the address space a Ray process maps besides the object store (threads, heaps)
STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
CONNECT_SECONDS = 10  # to reach a cluster's address
# Ray's settings for a Ray started here: no Python workers started ahead for the first driver (Ray
# would start one per core, each importing Ray, which the shards, actors of their own, never use)
OWN_RAY = {"prestart_worker_first_driver": False}


def ray_module():
    """Ray (and ZeroMQ, which carries the shards' bundles), or a one-line error saying how to install them."""
    try:
        import ray
        import zmq  # noqa: F401
    except ImportError as missing:
        raise ValueError(f'shards run on Ray and ZeroMQ, and {missing.name} is not installed: '
                         'pip install "exmachina[cluster]"') from None
    return ray


def connect(cluster: str | None):
    """Ray, started here (no address) or joined (a cluster started with `ray start`)."""
    ray = ray_module()
    if ray.is_initialized():
        return ray
    _quiet()
    if cluster is None:  # a Ray of our own, even where a cluster runs on this machine
        _room_for_ray(ray)
        for attempt in range(1 + START_AGAIN):
            try:
                with _own_signals():
                    ray.init(address="local", include_dashboard=False, log_to_driver=False, logging_level="ERROR",
                             _system_config=OWN_RAY)
                return ray
            except Exception as failed:  # Ray's own processes did not start: its traceback says no more
                lines = str(failed).strip().splitlines() or [type(failed).__name__]
                with _stderr_quiet():
                    ray.shutdown()  # what did start of it
                if attempt < START_AGAIN and "timed out" in lines[0]:
                    continue  # a busy machine: Ray waits a fixed 30 s for its raylet
                raise RayUnavailable(f"--shards: Ray could not start on this machine ({lines[0]}); try again when "
                                     "the machine is less busy, start Ray yourself (ray start --head) and give its "
                                     "address as --cluster, or leave out --shards") from None
    host, _, port = cluster.rpartition(":")
    try:
        speaks = _speaks_grpc(host or cluster, int(port or 6379))
    except (OSError, ValueError) as bad:
        raise ValueError(f"--cluster {cluster}: cannot reach a Ray cluster there ({bad})") from None
    if not speaks:  # Ray would wait for it for minutes
        raise ValueError(f"--cluster {cluster}: what answers there is not a Ray cluster (it does not speak gRPC, as "
                         "a Ray head's port does); give the address that `ray start --head` printed")
    try:
        with _stderr_quiet(), _own_signals():  # Ray's client retries in its own C++ lines: the error says it once
            ray.init(address=cluster, log_to_driver=False, logging_level="ERROR")
    except (ConnectionError, ray.exceptions.RayError) as refused:
        raise ValueError(f"--cluster {cluster}: Ray refused to connect ({refused}); a cluster with token "
                         "authentication needs RAY_AUTH_MODE=token and its token here") from None
    return ray


def _speaks_grpc(host: str, port: int) -> bool:
    """Whether the server at host:port answers as a gRPC server does (a Ray head's GCS), within
    CONNECT_SECONDS: HTTP/2's opening words, to which such a server replies with its settings frame.
    With TLS (RAY_USE_TLS) the answer is encrypted and cannot be read here: any server will do."""
    with socket.create_connection((host, port), timeout=CONNECT_SECONDS) as probe:
        if os.environ.get("RAY_USE_TLS", "0").lower() in ("1", "true"):
            return True
        probe.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))
        reply = b""
        deadline = time.monotonic() + CONNECT_SECONDS
        while len(reply) < 9 and time.monotonic() < deadline:
            probe.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                chunk = probe.recv(9 - len(reply))
            except TimeoutError:
                break
            if not chunk:
                break
            reply += chunk
    return len(reply) == 9 and reply[3] == 4  # a frame of type 4: SETTINGS


def _room_for_ray(ray: Any) -> None:
    """Refuse at once what Ray would fail at after half a minute: its raylet maps the whole object
    store (by default 30% of the memory available), which an address-space limit (`ulimit -v`) forbids."""
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    if limit == resource.RLIM_INFINITY:
        return
    try:
        from ray._private import utils  # not Ray's public API: where it has moved, the estimate below

        store = utils.resolve_object_store_memory(utils.estimate_available_memory())
    except (ImportError, AttributeError, TypeError):
        store = int(0.3 * os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    need = store + RAY_PROCESS_BYTES
    if limit < need:
        raise ValueError(f"--shards: Ray cannot start under this address-space limit (ulimit -v {limit >> 10}): "
                         f"its object store alone maps {store / 2**30:.1f} GiB; allow at least {need / 2**30:.1f} "
                         "GiB (ulimit -v unlimited), or leave out --shards")


@contextmanager
def _own_signals() -> Iterator[None]:
    """The handlers of SIGINT, SIGTERM and SIGHUP as they were before Ray started: Ray's driver takes
    SIGTERM over (to exit with status 15, and its C++ core to print a stack) where the program's own
    handler stops a run in one line, keeps the old model and exits 143."""
    handlers = {signum: signal.getsignal(signum) for signum in STOPS}
    try:
        yield
    except SystemExit as leaving:  # SIGTERM while Ray started, as Ray's handler has it: given to the old one
        if leaving.code != signal.SIGTERM or not callable(handlers[signal.SIGTERM]):
            raise
        handlers[signal.SIGTERM](signal.SIGTERM, None)
        raise
    finally:
        for signum, handler in handlers.items():
            if handler is not None:
                signal.signal(signum, handler)


@contextmanager
def _stderr_quiet() -> Iterator[None]:
    """File descriptor 2 into /dev/null for a while: what C code writes there too."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as nothing:
        os.dup2(nothing.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


QUIETED = ((2, 40), (2, 61))  # the Ray releases whose private `print_to_stdstream` _quiet replaces (from, before)


def _quiet() -> None:
    """Ray prints each worker's death on this process's stdout, in the middle of a user's output. The
    driver says what it recovered from itself, so those notices go to Ray's logger instead.

    `print_to_stdstream` is not Ray's public API: it is replaced only in the releases checked to have
    it as it is used here (`QUIETED`); with any other, Ray's notices stay."""
    import logging

    import ray

    release = tuple(int(part) for part in ray.__version__.split(".")[:2] if part.isdigit())
    if not QUIETED[0] <= release < QUIETED[1]:
        return
    from ray._private import worker

    log = logging.getLogger("ray")
    worker.print_to_stdstream = lambda data, ignore_prefix=False: log.info("%s", " ".join(data["lines"]))
