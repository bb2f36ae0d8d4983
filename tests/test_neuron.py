"""One neuron, in a real runtime, between processes that play its inputs and its targets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from exmachina import Blueprint, MatrixEngine, Network
from exmachina.actors.activations import activation
from exmachina.actors.neuron import Neuron, Sensor
from exmachina.actors.routes import ACTIVITY, ERROR, Routes
from exmachina.actors.runtime import LocalRuntime


class Neighbour:
    """A process that writes down every message it gets and can send messages of its own."""

    def __init__(self, address: int, runtime: LocalRuntime, fan_in: int, fan_out: int) -> None:
        self.address, self.runtime, self.fan_in, self.fan_out = address, runtime, fan_in, fan_out
        self.heard: list = []

    def on_activities(self, tag, values):
        self.heard.append(("activity", tag, list(values)))

    def on_errors(self, tag, values):
        self.heard.append(("error", tag, list(values)))


def test_the_nine_steps_with_numbers_worked_by_hand():
    runtime = LocalRuntime()
    # addresses: 0 and 1 feed the neuron, 2 is the neuron, 3 and 4 are its targets
    inputs = [Neighbour(i, runtime, fan_in=0, fan_out=1) for i in (0, 1)]
    for p in inputs:
        runtime.spawn(p)
    neuron = Neuron(2, runtime, activation("sigmoid"), bias=0.1, dendrites=Routes.of([(0, 0), (1, 0)]),
                    axon=Routes.of([(3, 0), (4, 0)]), weights=[0.5, -1.0], learning_rate=0.5)
    runtime.spawn(neuron)
    targets = [Neighbour(i, runtime, fan_in=1, fan_out=0) for i in (3, 4)]
    for p in targets:
        runtime.spawn(p)

    # 1. the inputs send their weighted activities (0.2 and 0.3): nothing happens until both are in
    runtime.send(ACTIVITY, "x", Routes.of([(2, 0)]), [0.2])
    runtime.run()
    assert targets[0].heard == []
    runtime.send(ACTIVITY, "x", Routes.of([(2, 1)]), [0.3])
    runtime.run()
    # 2. a = sigmoid(0.2 + 0.3 + 0.1) = sigmoid(0.6) = 0.6456563062257954
    a = 1 / (1 + math.exp(-0.6))
    assert a == pytest.approx(0.6456563062257954, abs=1e-15)
    # 3, 4. each target gets w * a
    assert targets[0].heard == [("activity", "x", [pytest.approx(0.5 * a, abs=1e-15)])]
    assert targets[1].heard == [("activity", "x", [pytest.approx(-1.0 * a, abs=1e-15)])]

    # 5. errors come back from both targets: 0.1 from the first, 0.2 from the second
    runtime.send(ERROR, "x", Routes.of([(2, 0)]), [0.1])
    runtime.run()
    assert inputs[0].heard == []
    runtime.send(ERROR, "x", Routes.of([(2, 1)]), [0.2])
    runtime.run()
    # 6. delta = a(1 - a) * (0.1 * 0.5 + 0.2 * -1.0) = 0.228784... * -0.15
    delta = a * (1 - a) * (0.1 * 0.5 + 0.2 * -1.0)
    assert delta == pytest.approx(-0.0343176, abs=1e-7)
    # 7. delta goes back to both inputs
    assert inputs[0].heard == inputs[1].heard == [("error", "x", [pytest.approx(delta, abs=1e-15)])]
    # 8, 9. w_j -= 0.5 * delta_j * a, b -= 0.5 * delta
    assert neuron.weights == pytest.approx([0.5 - 0.5 * 0.1 * a, -1.0 - 0.5 * 0.2 * a], abs=1e-15)
    assert neuron.bias == pytest.approx(0.1 - 0.5 * delta, abs=1e-15)
    assert neuron.memory == {}  # nothing is kept once an example has left
    assert runtime.idle()


def perceptron(weights, bias) -> Network:
    """Sensors wired to one step neuron, as in the notes."""
    n = len(weights)
    return Network(Blueprint(
        kinds=["sensor"] * n + ["output"], activations=["identity"] * n + ["step"],
        biases=[0.0] * n + [bias], sources=list(range(n)), targets=[n] * n, weights=weights,
        loss="squared",
    ))


def test_the_perceptron_from_the_notes():
    net = perceptron([0.5, -1.0, 1.5], -1.5)
    total_input, activity = MatrixEngine(net.blueprint).forward([[8, 5, 2]])
    assert total_input[0, 3] == 0.5  # 8 * 0.5 + 5 * -1.0 + 2 * 1.5 - 1.5
    assert net.predict([[8, 5, 2]]).tolist() == [[1.0]]
    assert net.predict([[8, 5, 3]], engine="matrix").tolist() == [[1.0]]
    assert net.predict([[8, 6, 2]]).tolist() == [[0.0]]  # total input -0.5


TRUTH = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
NAND = np.array([1, 1, 1, 0])


def test_weights_minus_two_and_bias_three_make_a_nand_gate():
    net = perceptron([-2.0, -2.0], 3.0)
    assert net.predict(TRUTH)[:, 0].tolist() == NAND.tolist()


def test_the_perceptron_rule_learns_nand_from_small_weights():
    net = perceptron([0.2, -0.3], -0.1)
    assert net.predict(TRUTH)[:, 0].tolist() != NAND.tolist()
    before = net.blueprint.copy()
    net.fit(TRUTH[:1], NAND[:1, None], epochs=1, learning_rate=0.1, shuffle=False)
    # one step of the rule: w += rate * (desired - actual) * x; here x = (0, 0), desired 1, actual 0
    assert net.blueprint.weights.tolist() == before.weights.tolist()
    assert net.blueprint.biases[2] == pytest.approx(-0.1 + 0.1 * (1 - 0))
    net.fit(TRUTH, NAND[:, None], epochs=20, learning_rate=0.1, shuffle=False)
    assert net.predict(TRUTH)[:, 0].tolist() == NAND.tolist()


@pytest.mark.parametrize("name", ["step", "sigmoid", "tanh", "relu", "leaky_relu", "identity"])
def test_each_activation_has_the_same_scalar_and_vector_form(name):
    f = activation(name)
    z = np.array([-3.0, -0.5, 0.0, 0.25, 2.0, 800.0, -800.0])
    a = f.vector(z)
    assert np.allclose([f.scalar(v) for v in z.tolist()], a, rtol=1e-15)
    assert np.allclose([f.scalar_derivative(v, w) for v, w in zip(z.tolist(), a.tolist())],
                       f.vector_derivative(z, a), rtol=1e-15)
    assert np.isfinite(a).all()


def test_leaky_relu_lets_a_hundredth_through():
    assert activation("leaky_relu").scalar(-2.0) == pytest.approx(-0.02)
    assert activation("relu").scalar(-2.0) == 0.0
    assert activation("step").scalar(0.0) == 0.0 and activation("step").scalar(1e-9) == 1.0


@pytest.mark.parametrize("width", [0, 4])
def test_a_sensor_whose_error_nobody_reads_folds_no_error_sum_and_learns_the_same(width):
    """A sensor told at its wiring that nobody reads its error (`error_read`) still steps each weight
    and still sends its error; the runtime folds none of a run's errors into its error sum, so what it
    sends is the empty sum's 0.0 (with `error_read` the error worked from the folded sum)."""
    heard, weights = {}, {}
    for read in (True, False):
        runtime = LocalRuntime()
        feeder = Neighbour(0, runtime, fan_in=0, fan_out=2)  # stands where the feeder is
        runtime.spawn(feeder)
        sensors = [Sensor(i, runtime, activation("identity"), bias=0.0, dendrites=Routes.of([(0, i - 1)]),
                          axon=Routes.of([(3, i - 1)]), weights=[w], learning_rate=0.5)
                   for i, w in ((1, 0.25), (2, -0.75))]
        for sensor in sensors:
            sensor.error_read = read
            runtime.spawn(sensor)
        target = Neighbour(3, runtime, fan_in=2, fan_out=0)
        runtime.spawn(target)
        inputs = np.array([0.5, 1.5, -1.0, 2.0, 3.0, -0.5, 0.25, 1.0][:2 * max(width, 1)])
        runtime.post(ACTIVITY, "x", Routes.of([(1, 0), (2, 0)]), inputs, width)
        runtime.run()
        assert len(target.heard) == 1
        errors = np.array([0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8][:2 * max(width, 1)])
        runtime.post(ERROR, "x", Routes.of([(1, 0), (2, 0)]), errors, width)  # a run: one slot, consecutive
        runtime.run()
        (kind, tag, sent), = feeder.heard
        heard[read] = np.array(sent, dtype=float).ravel()
        weights[read] = [float(s.weights[0]) for s in sensors]
        assert runtime.idle()
    size = max(width, 1)
    expected = errors.reshape(2, size) * np.array([[0.25], [-0.75]])  # delta_j * w_j, the identity's slope 1
    assert heard[True].tolist() == expected.ravel().tolist()
    assert heard[False].tolist() == [0.0] * (2 * size)
    assert weights[False] == weights[True]  # each weight stepped to the same bits
    assert weights[True] != [0.25, -0.75]


def test_the_sensors_are_told_at_wiring_whether_anyone_reads_their_error():
    """In a society on a plain runtime the feeder alone hears the sensors' errors and reads none; a
    runtime that sees every message (the tracer, shuffled delivery) reads them all."""
    from exmachina.actors.shuffled import ShuffledRuntime
    from exmachina.actors.society import Society
    from exmachina.tracing.runtime import TracingRuntime

    blueprint = Network.layered([3, 2, 2]).blueprint
    for runtime, read in ((LocalRuntime(), False), (ShuffledRuntime(seed=0), True),
                          (TracingRuntime(blueprint, lambda event: None), True)):
        society = Society(blueprint, runtime, learning_rate=0.1)
        kinds = [society.blueprint.kinds[n.address] for n in society.neurons]
        assert [n.error_read for n in society.neurons] == [read if k == "sensor" else True for k in kinds]
