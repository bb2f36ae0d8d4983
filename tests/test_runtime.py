"""The runtime may interleave neurons in any order: results must not depend on it."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import numpy as np
import pytest

import exmachina
from exmachina import Network, layered
from exmachina.actors import buffers
from exmachina.actors.activations import activation
from exmachina.actors.neuron import Neuron
from exmachina.actors.routes import ACTIVITY, ERROR, Routes
from exmachina.actors.runtime import LocalRuntime
from exmachina.actors.signals import SCALARS, VECTORS
from exmachina.actors.society import Society

from recording import RecordingRuntime, ShuffledRecordingRuntime


def examples(n=30, sensors=6, outputs=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, sensors)), rng.integers(0, outputs, n)


def run(runtime, blueprint, x, labels, in_flight=1):
    society = Society(blueprint, runtime, lambda *_: None, learning_rate=0.3, in_flight=in_flight)
    desired = np.eye(len(blueprint.outputs))[labels]
    society.feeder.feed([(i, x[i].tolist(), desired[i]) for i in range(len(x))])
    runtime.run()
    assert runtime.idle()
    return society.state()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shuffled_delivery_gives_bit_identical_weights(seed):
    blueprint = layered([6, 5, 4, 3], "tanh", loss="cross_entropy", seed=4)
    x, labels = examples()
    ordered, shuffled = RecordingRuntime(), ShuffledRecordingRuntime(seed)
    expected = run(ordered, blueprint, x, labels)
    got = run(shuffled, blueprint, x, labels)
    assert got.weights.tobytes() == expected.weights.tobytes()
    assert got.biases.tobytes() == expected.biases.tobytes()
    assert shuffled.activities == ordered.activities and shuffled.errors == ordered.errors
    # and the order really was different: the test would pass trivially otherwise
    assert shuffled.log != ordered.log
    assert sorted(shuffled.log) == sorted(ordered.log)
    assert shuffled.messages == ordered.messages == 30 * (2 * (6 * 5 + 5 * 4 + 4 * 3) + 2 * 3 + 2 * 6 + 1)


def test_fit_with_shuffled_delivery_equals_fit_without():
    x, labels = examples(n=40)
    a, b = Network.layered([6, 4, 3], "sigmoid", seed=1), Network.layered([6, 4, 3], "sigmoid", seed=1)
    a.fit(x, labels, epochs=2, learning_rate=0.5, seed=9)
    b.fit(x, labels, epochs=2, learning_rate=0.5, seed=9, shuffle_delivery=True)
    assert a.blueprint.weights.tobytes() == b.blueprint.weights.tobytes()


def test_one_example_in_flight_is_strictly_sequential():
    blueprint = layered([6, 5, 3], "sigmoid", seed=0)
    x, labels = examples(n=10)
    runtime = RecordingRuntime()
    run(runtime, blueprint, x, labels, in_flight=1)
    tags = [tag for _, _, tag in runtime.log]
    assert tags == sorted(tags)  # every handler of example n ran before any of example n + 1


def test_several_in_flight_pipelines_the_examples():
    blueprint = layered([6, 5, 3], "sigmoid", seed=0)
    x, labels = examples(n=20)
    runtime = ShuffledRecordingRuntime(0)
    run(runtime, blueprint, x, labels, in_flight=4)
    log = runtime.log
    # some neuron fired for a later example before it had learned from an earlier one ...
    overtaken = [
        (address, tag) for i, (step, address, tag) in enumerate(log) if step == "learn"
        and any(s == "fire" and a == address and t > tag for s, a, t in log[:i])
    ]
    assert overtaken
    # ... yet never more than four examples were in the network at once: an example enters with
    # its first firing and leaves when the last of the six sensors has learned from it
    entered = {tag: min(i for i, (s, _, t) in enumerate(log) if t == tag) for _, _, tag in log}
    left = {tag: max(i for i, (s, a, t) in enumerate(log) if t == tag and s == "learn" and a < 6) for tag in entered}
    assert max(sum(entered[t] <= i <= left[t] for t in entered) for i in range(len(log))) == 4


@pytest.mark.parametrize("name", ["routes", "dendrites", "receivers", "delivery", "runtime", "neuron", "signals",
                                  "activations", "feeder"])
def test_the_hot_path_runs_compiled_from_its_current_source(name):
    """The messages' path is Cython-compiled at install; a stale build would hide an edit to the source."""
    module = importlib.import_module(f"exmachina.actors.{name}")
    compiled = Path(module.__file__)
    assert compiled.name.endswith(tuple(EXTENSION_SUFFIXES)), f"{compiled} is not compiled: run pip install ."
    stem = name.rpartition(".")[2]
    if not compiled.with_name(f"{stem}.c").exists():
        return  # installed from a wheel: built from these very sources (the files' times are the install's)
    # compiled in place, in a development checkout: an edit since the last build would not be running
    sources = [compiled.with_name(f"{stem}.py"), compiled.with_name(f"{stem}.pxd")]
    if name == "signals":
        sources.append(compiled.with_name("buffers.pxd"))  # cimported: compiled into signals
    if name in ("signals", "dendrites"):
        sources.append(compiled.with_name("lanes.pxd"))  # cimported: its C is compiled into them
    for source in sources:
        if source.exists():
            assert compiled.stat().st_mtime >= source.stat().st_mtime, f"{source} changed since {compiled} was built"


def test_a_message_without_a_value_is_refused():
    runtime = LocalRuntime()
    with pytest.raises(ValueError, match="2 routes but 1 values"):
        runtime.send(ACTIVITY, "x", Routes.of([(0, 0), (0, 1)]), [0.5])


def test_the_compiled_modules_are_typed_by_their_pxd_files():
    """Compiled without its .pxd file, a module would still import, with plain classes and no C fields."""
    from exmachina.actors.dendrites import Process, Wave
    from exmachina.actors.neuron import Neuron
    from exmachina.actors.runtime import LocalRuntime

    for cls, field in [(Process, "bias"), (Process, "holding"), (Neuron, "pending"), (LocalRuntime, "messages"),
                       (Wave, "open")]:
        descriptor = inspect.getattr_static(cls, field)  # on the class or the one it builds on
        assert type(descriptor).__name__ == "getset_descriptor", f"{cls.__name__}.{field} is not a C field"
    assert not hasattr(SCALARS, "__dict__") and not hasattr(VECTORS, "__dict__")


@pytest.mark.parametrize("vector", [
    np.arange(4),  # integers
    np.ones(8)[::2],  # every other value of a longer vector
    np.ones(3),  # one value short
    [1.0, 2.0, 3.0, 4.0],  # not a NumPy vector
    np.ones(4).astype(">f8" if np.little_endian else "<f8"),  # the other byte order
    np.zeros(33, np.uint8)[1:].view(np.float64),  # unaligned
], ids=["integers", "strided", "short", "list", "byte-swapped", "unaligned"])
def test_a_batch_vector_that_is_not_what_the_loops_expect_is_refused(vector):
    """The compiled runtime copies a vector's memory into a C mailbox: what it cannot read is an
    error, the same one that the Python source gives, never a crash or a wrong number."""
    runtime = LocalRuntime()
    runtime.spawn(Neuron(0, runtime, activation("sigmoid"), 0.0, Routes.of([]), Routes.of([(1, 0), (1, 1)]),
                         [1.0, 1.0], learning_rate=0.1))
    with pytest.raises(ValueError) as compiled:  # the second error is wrong (the first, early, is held)
        runtime.send(ERROR, "x", Routes.of([(0, 1), (0, 0)]), [np.ones(4), vector])
    with pytest.raises(ValueError) as source:
        buffers.values(vector, 4)  # buffers.py is never compiled: this is the Python check
    assert str(compiled.value) == str(source.value)
    assert str(source.value).startswith("expected a contiguous vector of 4 floats, got a ")


LEARN = """
import json
import numpy as np
import exmachina.actors.runtime
from exmachina import Network
rng = np.random.default_rng(0)
x, y = rng.normal(size=(40, 64)), rng.integers(0, 3, 40)
learned = {"source": exmachina.actors.runtime.__file__.endswith(".py")}
for name, net, fit in [
    ("noise", Network.layered([64, 5, 3], activation="sigmoid", seed=1), {"noise": 0.3}),
    ("batch", Network.layered([64, 5, 4, 3], activation="tanh", loss="cross_entropy", seed=2), {"batch_size": 4}),
    ("short batches in flight, noise", Network.layered([64, 5, 3], activation="sigmoid", seed=4),
     {"batch_size": 6, "in_flight": 2, "noise": 0.1}),
    ("in flight", Network.layered([64, 5, 3], activation="relu", loss="mse", seed=3), {"in_flight": 3}),
]:
    net.fit(x, y, epochs=3, learning_rate=0.1, **fit)
    learned[name] = [net.blueprint.weights.tobytes().hex(), net.blueprint.biases.tobytes().hex()]
print(json.dumps(learned))
"""


@pytest.mark.subprocess
def test_the_compiled_modules_compute_exactly_what_their_python_source_computes(tmp_path):
    """The .py files are the program: run from source alone, they must learn the very same bits."""
    shutil.copytree(Path(exmachina.__file__).parent, tmp_path / "exmachina",
                    ignore=shutil.ignore_patterns(*(f"*{suffix}" for suffix in EXTENSION_SUFFIXES), "*.c"))

    def learn(**env):
        done = subprocess.run([sys.executable, "-c", LEARN], capture_output=True, text=True, timeout=120,
                              env={**os.environ, **env}, check=True)
        return json.loads(done.stdout)

    compiled, source = learn(), learn(PYTHONPATH=str(tmp_path))
    assert not compiled.pop("source") and source.pop("source")
    assert source == compiled
