"""What a wave between two processes on this machine costs, by transport: the round trip of a parcel.

The shards' cost model (`costmodel.py`) says how long a wave may take for shards to pay; this says
what each way of carrying one takes here: a Ray actor call (what the shards use now), a Ray compiled
graph, ZeroMQ over a Unix socket, a pipe, and shared memory polled by both sides (the floor: it
keeps a core busy while it waits). Each is an echo: one process sends a parcel of float64 values,
the other sends it back; the median of many round trips, per size.
"""

from __future__ import annotations

import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

SIZES = (1_000, 100_000)  # values a parcel carries: a layer's activities; a large layer's many
TRIPS = 300


def timed(trip: Callable[[np.ndarray], Any], values: int, trips: int) -> float:
    """The median seconds of one round trip of a parcel of `values` float64."""
    parcel = np.random.default_rng(0).random(values)
    if not np.array_equal(np.asarray(trip(parcel)), parcel):  # a trip that loses the values measures nothing
        raise RuntimeError(f"the parcel of {values} values came back changed")
    for _ in range(4):
        trip(parcel)
    seconds = []
    for _ in range(trips):
        started = time.perf_counter()
        trip(parcel)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


class Echo:
    """An actor that hands back what it is given."""

    def back(self, parcel: np.ndarray) -> np.ndarray:
        return parcel


def ray_call(ray: Any, trips: int) -> dict[int, float]:
    echo = ray.remote(num_cpus=0)(Echo).remote()
    try:
        return {n: timed(lambda p: ray.get(echo.back.remote(p)), n, trips) for n in SIZES}
    finally:
        ray.kill(echo)


def ray_compiled(ray: Any, trips: int) -> dict[int, float]:
    from ray.dag import InputNode

    echo = ray.remote(num_cpus=0)(Echo).remote()
    with InputNode() as given:
        graph = echo.back.bind(given)
    compiled = graph.experimental_compile()
    try:
        return {n: timed(lambda p: ray.get(compiled.execute(p)), n, trips) for n in SIZES}
    finally:
        compiled.teardown()
        ray.kill(echo)


def _zeromq_echo(address: str) -> None:
    import zmq

    socket = zmq.Context().socket(zmq.REP)
    socket.bind(address)
    while True:
        parcel = socket.recv(copy=False)
        if len(parcel.buffer) == 0:
            socket.send(b"")
            return
        socket.send(parcel, copy=False)


def zeromq(trips: int, sizes: tuple[int, ...] = SIZES) -> dict[int, float]:
    import zmq

    with tempfile.TemporaryDirectory() as folder:
        address = f"ipc://{folder}/echo"
        other = multiprocessing.get_context("spawn").Process(target=_zeromq_echo, args=(address,))
        other.start()
        socket = zmq.Context().socket(zmq.REQ)
        socket.connect(address)

        def trip(parcel: np.ndarray) -> np.ndarray:
            socket.send(parcel, copy=False)
            return np.frombuffer(socket.recv(copy=False).buffer, dtype=np.float64)

        try:
            return {n: timed(trip, n, trips) for n in sizes}
        finally:
            socket.send(b"")
            socket.recv()
            other.join(10)


def _pipe_echo(end: Any) -> None:
    while parcel := end.recv_bytes():
        end.send_bytes(parcel)


def pipe(trips: int) -> dict[int, float]:
    here, there = multiprocessing.Pipe()
    other = multiprocessing.get_context("spawn").Process(target=_pipe_echo, args=(there,))
    other.start()

    def trip(parcel: np.ndarray) -> np.ndarray:
        here.send_bytes(parcel)
        return np.frombuffer(here.recv_bytes(), dtype=np.float64)

    try:
        return {n: timed(trip, n, trips) for n in SIZES}
    finally:
        here.send_bytes(b"")
        other.join(10)


def _memory_echo(name: str, values: int) -> None:
    from multiprocessing import shared_memory

    block = shared_memory.SharedMemory(name=name)
    turn = np.ndarray(1, dtype=np.int64, buffer=block.buf)  # odd: the echo's turn; even: the sender's
    there = np.ndarray(values, dtype=np.float64, buffer=block.buf, offset=8)
    back = np.ndarray(values, dtype=np.float64, buffer=block.buf, offset=8 + 8 * values)
    while True:
        while turn[0] % 2 == 0:
            pass
        if turn[0] < 0:
            del turn, there, back
            block.close()
            return
        back[:] = there
        turn[0] += 1


def shared_memory_polled(trips: int) -> dict[int, float]:
    return {values: _polled(values, trips) for values in SIZES}


def _polled(values: int, trips: int) -> float:
    from multiprocessing import shared_memory

    block = shared_memory.SharedMemory(create=True, size=8 + 16 * values)
    views = (np.ndarray(1, dtype=np.int64, buffer=block.buf),
             np.ndarray(values, dtype=np.float64, buffer=block.buf, offset=8),
             np.ndarray(values, dtype=np.float64, buffer=block.buf, offset=8 + 8 * values))
    views[0][0] = 0
    other = multiprocessing.get_context("spawn").Process(target=_memory_echo, args=(block.name, values))
    other.start()

    def trip(parcel: np.ndarray, views: tuple = views) -> np.ndarray:
        turn, there, back = views
        there[:] = parcel
        turn[0] += 1
        while turn[0] % 2:
            pass
        return back.copy()

    try:
        return timed(trip, values, trips)
    finally:
        views[0][0] = -1
        other.join(10)
        del views, trip
        block.close()
        block.unlink()


def measure(trips: int = TRIPS, log: Any = print) -> list[dict[str, Any]]:
    """Each transport's median round trip per parcel size, or why it could not be measured."""
    from exmachina.shards.starting import connect

    ray = connect(None)
    ways = [("Ray actor call", lambda: ray_call(ray, trips)),
            ("Ray compiled graph", lambda: ray_compiled(ray, trips)),
            ("ZeroMQ, Unix socket", lambda: zeromq(trips)), ("pipe", lambda: pipe(trips)),
            ("shared memory, polled", lambda: shared_memory_polled(trips))]
    rows = []
    for name, way in ways:
        log(f"transports: {name}")
        try:
            rows.append({"transport": name, "seconds": {str(n): s for n, s in way().items()}})
        except Exception as failed:  # noqa: BLE001 - a transport this machine lacks is a row saying why
            rows.append({"transport": name, "error": f"{type(failed).__name__}: {failed}"[:200]})
    return rows
