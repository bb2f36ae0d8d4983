"""What the live view costs the training: no work nobody will see, and no helper threads spinning on the
training's core. No timing here: bench/view.py measures the speed."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from exmachina import Network
from exmachina.network.matrix import MatrixEngine


def plane(rows=200):
    x = np.random.default_rng(0).uniform(-1, 1, size=(rows, 2))
    return x, (x[:, 0] * x[:, 1] > 0).astype(int)


def numpys_blas() -> list[int]:
    """The threads of NumPy's own BLAS, the one its matrix products run on (SciPy, which scikit-learn
    loads, brings another that NumPy never calls)."""
    return [library["num_threads"] for library in threadpool_info()
            if library["user_api"] == "blas" and "numpy" in Path(library["filepath"]).parent.name]


def test_a_frames_pictures_keep_numpys_blas_on_one_thread(monkeypatch):
    """The maps of a plane are matrix products over 10,000 points: with more than one BLAS thread, the
    helpers spin on the other core, the training's, and the pictures cost twice the CPU."""
    from exmachina.watch import serve

    threads = []
    forward = MatrixEngine.forward

    def counting(self, inputs):
        threads.append(numpys_blas())
        return forward(self, inputs)

    x, y = plane()
    net = Network.layered([2, 4, 2], activation="tanh", seed=0)
    with threadpool_limits(2, user_api="blas"), serve(net, x, y, held_out=(x[:50], y[:50]), quiet=True) as watcher:
        net.fit(x, y, epochs=1, on_progress=watcher.on_progress)
        watcher.finish()
        monkeypatch.setattr(MatrixEngine, "forward", counting)
        frame = watcher.frame()
        assert frame["maps"] and frame["confidence"] and frame["held_out"] is not None
        assert threads and all(counts == [1] for counts in threads), threads
        assert numpys_blas() == [2]  # as it was


def test_a_run_without_held_out_examples_leaves_the_painter_asleep(monkeypatch):
    """The painter scores the held-out examples for their curve: without them it has nothing to do, and
    waking at every change of the run only took the training's turn at the interpreter."""
    from exmachina.watch import serve
    from exmachina.watch.server import Watcher

    woken = []
    held_out = Watcher.held_out

    def counting(self):
        if threading.current_thread().name == "exmachina-watch-painter":
            woken.append(self.session.examples)
        return held_out(self)

    monkeypatch.setattr(Watcher, "held_out", counting)
    x, y = plane()
    net = Network.layered([2, 4, 2], activation="tanh", seed=0)
    with serve(net, x, y, quiet=True) as watcher:
        net.fit(x, y, epochs=3, on_progress=watcher.on_progress)
        watcher.finish()
    assert woken == []
    with serve(net, x, y, held_out=(x[:50], y[:50]), quiet=True) as watcher:  # with them, it scores them
        net.fit(x, y, epochs=3, on_progress=watcher.on_progress)
        watcher.finish()
        for _ in range(100):
            if woken:
                break
            threading.Event().wait(0.05)
    assert woken
