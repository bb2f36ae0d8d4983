"""The Python API: learning real problems, and clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from exmachina import Network

XOR_INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_xor_is_learned_by_a_2_3_1_network():
    net = Network.layered([2, 3, 1], activation="sigmoid", loss="squared", seed=1)
    history = net.fit(XOR_INPUTS * 25, [0, 1, 1, 0] * 25, epochs=40, learning_rate=2.0)
    assert net.classify(XOR_INPUTS).tolist() == [0, 1, 1, 0]
    assert history[-1]["loss"] < history[0]["loss"]
    assert history[-1]["messages"] == 100 * (2 * (2 * 3 + 3 * 1) + 2 * 1 + 2 * 2 + 1)


@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    return train_test_split(d.data / 16.0, d.target, test_size=0.2, stratify=d.target, random_state=0)


@pytest.mark.slow
def test_the_digits_are_learned_to_95_percent_on_held_out_data(digits):
    x_train, x_test, y_train, y_test = digits
    net = Network.layered([64, 32, 10], activation="sigmoid", loss="cross_entropy", seed=0)
    net.fit(x_train, y_train, epochs=8, learning_rate=0.5)
    assert net.score(x_test, y_test) >= 0.95


@pytest.mark.slow
def test_pipelined_training_with_four_in_flight_still_learns_the_digits(digits):
    x_train, x_test, y_train, y_test = digits
    net = Network.layered([64, 32, 10], activation="sigmoid", loss="cross_entropy", seed=0)
    net.fit(x_train, y_train, epochs=8, learning_rate=0.5, in_flight=4)
    assert net.score(x_test, y_test) >= 0.93


def test_mini_batches_learn_the_digits(digits):
    x_train, x_test, y_train, y_test = digits
    net = Network.layered([64, 32, 10], activation="relu", loss="cross_entropy", seed=0)
    net.fit(x_train, y_train, epochs=15, learning_rate=0.5, batch_size=16)
    assert net.score(x_test, y_test) >= 0.93


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    x = np.random.default_rng(0).normal(size=(30, 4))
    y = (x[:, 0] > 0).astype(int)
    runs = []
    for seed in (5, 5, 6):
        net = Network.layered([4, 3, 2], seed=0)
        net.fit(x, y, epochs=2, learning_rate=0.5, seed=seed, noise=0.1)
        runs.append(net.blueprint.weights.tobytes())
    assert runs[0] == runs[1] != runs[2]


def test_noise_changes_what_is_learned_only_while_learning():
    x = np.random.default_rng(0).normal(size=(30, 4))
    y = (x[:, 0] > 0).astype(int)
    quiet, noisy = Network.layered([4, 3, 2], seed=0), Network.layered([4, 3, 2], seed=0)
    quiet.fit(x, y, epochs=1, learning_rate=0.5)
    noisy.fit(x, y, epochs=1, learning_rate=0.5, noise=0.5)
    assert quiet.blueprint.weights.tobytes() != noisy.blueprint.weights.tobytes()
    # predicting is not noisy: the actors give what the matrix engine (which has no noise) gives
    np.testing.assert_allclose(noisy.predict(x), noisy.predict(x, engine="matrix"), rtol=1e-12, atol=1e-13)


def test_string_labels_and_predicted_labels():
    x = np.array([[0.0, 1.0], [1.0, 0.0]] * 20)
    net = Network.layered([2, 4, 2], seed=0)
    net.fit(x, ["left", "right"] * 20, epochs=30, learning_rate=0.5)
    assert net.classes == ["left", "right"]
    assert net.classify([[0.0, 1.0], [1.0, 0.0]]).tolist() == ["left", "right"]
    assert net.predict([[0.0, 1.0]]).shape == (1, 2)


@pytest.mark.parametrize("inputs,targets,message", [
    ([[0, 1, 2]], [0], "inputs have 3 columns but the network has 2 sensors"),
    ([[0, 1], [0, float("nan")]], [0, 1], "inputs: example 1, column 1 is nan"),
    ([[0, 1], [float("inf"), 0]], [0, 1], "inputs: example 1, column 0 is inf"),
    ([["a", 1]], [0], "inputs must be numbers"),
    ([[0, 1]], [0, 1], "2 labels for 1 examples"),
    ([[0, 1]], [[0.5, 0.5, 0.5]], r"targets must have shape \(1, 2\)"),
    ([[0, 1]], [[0.5, float("nan")]], "targets: example 0, column 1 is nan"),
    ([[0, 1], [1, 0], [1, 1]], ["a", "b", "c"], "3 classes in the labels but the network has 2 output"),
])
def test_bad_input_is_a_clear_error(inputs, targets, message):
    with pytest.raises(ValueError, match=message):
        Network.layered([2, 3, 2]).fit(inputs, targets)


@pytest.mark.parametrize("option,message", [
    ({"learning_rate": -1}, "learning rate must be a positive number"),
    ({"learning_rate": float("nan")}, "learning rate must be a positive number"),
    ({"batch_size": 0}, "batch_size 0: a batch must hold at least 1 example"),
    ({"in_flight": 0}, "in_flight 0: at least 1 example must be in flight"),
    ({"engine": "gpu"}, "engine 'gpu': unknown engine"),
    ({"engine": "matrix", "in_flight": 2}, "matrix engine has no examples in flight"),
    ({"engine": "matrix", "noise": 0.1}, "matrix engine adds no noise"),
    ({"noise": -0.1}, "noise -0.1: the noise must be 0 or a positive number"),
])
def test_bad_settings_are_a_clear_error(option, message):
    with pytest.raises(ValueError, match=message):
        Network.layered([2, 3, 2]).fit([[0, 1]], [0], **option)


def test_unknown_labels_at_prediction_time_and_unknown_names():
    net = Network.layered([2, 3, 2])
    net.fit([[0, 1], [1, 0]], ["a", "b"], epochs=1)
    with pytest.raises(ValueError, match="label 'z' of example 1 is not one of the classes"):
        net.fit([[0, 1], [1, 0]], ["a", "z"], epochs=1)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        Network.layered([2, 3, 2], activation="swish")
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        Network.layered([2, 3, 2], loss="hinge")
    with pytest.raises(ValueError, match="at least two positive sizes"):
        Network.layered([2])


def learn_slowing_down_after_ten(engine: str):
    """Learn 20 examples at rate 0.5, then 0.0001 from the eleventh on; the weights seen along the way."""
    x = np.random.default_rng(0).normal(size=(20, 4))
    net, seen = Network.layered([4, 3, 2], seed=0), []

    def slow_down_after_ten(epoch, board):
        seen.append(net.snapshot().weights.copy())  # the weights mid-fit, before this example's update
        return 0.0001 if board.seen >= 10 else None

    net.fit(x, (x[:, 0] > 0).astype(int), epochs=1, learning_rate=0.5, shuffle=False, engine=engine,
            on_progress=slow_down_after_ten)
    return net, seen


def test_the_learning_rate_can_change_while_learning():
    learned = {}
    for engine in ("actors", "matrix"):
        net, seen = learn_slowing_down_after_ten(engine)
        moves = [np.abs(b - a).max() for a, b in zip(seen, seen[1:])]
        assert min(moves[:9]) > 100 * max(moves[10:]), engine  # big steps, then tiny ones
        assert net.blueprint.training["learning_rate"] == 0.0001
        learned[engine] = net.blueprint
    # the new rate applies from the next example on, in both engines alike
    np.testing.assert_allclose(learned["actors"].weights, learned["matrix"].weights, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(learned["actors"].biases, learned["matrix"].biases, rtol=1e-12, atol=1e-13)


def test_a_failed_fit_changes_nothing():
    net = Network.layered([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match="learning rate"):
        net.fit([[0, 1], [1, 0]], ["a", "b"], learning_rate=-1)
    assert net.classes is None

    def interrupt(epoch, board):
        raise KeyboardInterrupt

    before = net.blueprint.weights.copy()
    with pytest.raises(KeyboardInterrupt):
        net.fit([[0, 1], [1, 0]], [0, 1], on_progress=interrupt)
    assert net.snapshot().weights.tobytes() == before.tobytes() == net.blueprint.weights.tobytes()


def test_progress_tells_which_examples_were_just_scored():
    x = np.random.default_rng(0).normal(size=(12, 4))
    scored = []
    net = Network.layered([4, 3, 2], seed=0)
    net.fit(x, [0, 1] * 6, epochs=1, batch_size=5, shuffle=False,
            on_progress=lambda epoch, board: scored.append((board.last[0].tolist(), board.last[1].shape)))
    assert scored == [([0, 1, 2, 3, 4], (5, 2)), ([5, 6, 7, 8, 9], (5, 2)), ([10, 11], (2, 2))]


def test_progress_counts_the_messages_delivered_so_far():
    x = np.random.default_rng(0).normal(size=(6, 4))
    counts = []
    net = Network.layered([4, 3, 2], seed=0)
    history = net.fit(x, [0, 1] * 3, epochs=2, on_progress=lambda epoch, board: counts.append(board.messages))
    per_example = 2 * (4 * 3 + 3 * 2) + 2 * 4 + 2 * 2 + 1
    # the teacher scores an example once its outputs are in (the forward wave and the desired
    # outputs) and it has sent the two output neurons their errors
    forward = 4 + 4 * 3 + 3 * 2 + 2 + 1 + 2
    assert counts == [k * per_example + forward for k in range(6)] * 2
    assert [h["messages"] for h in history] == [6 * per_example] * 2


def test_after_each_pass_the_network_holds_that_pass_weights():
    x = np.random.default_rng(0).normal(size=(8, 4))
    seen = []
    net = Network.layered([4, 3, 2], seed=0)
    net.fit(x, [0, 1] * 4, epochs=3, on_pass=lambda figures: seen.append((figures["epoch"], net.predict(x))))
    assert [epoch for epoch, _ in seen] == [1, 2, 3]
    assert not np.array_equal(seen[0][1], seen[1][1])
    assert np.array_equal(seen[-1][1], net.predict(x))


def test_a_watched_pass_scores_its_examples_when_its_tallies_are_read(monkeypatch):
    """Progress that only asks which examples were answered costs no scoring (scored one by one, a
    watched run lost a quarter of its speed); tallies read now and then are those of every example."""
    import exmachina.network.network as network
    from exmachina.actors.losses import Loss, loss

    measured = []

    def counting(name):
        real = loss(name)

        def measure(outputs, desired):
            measured.append(outputs.shape[1])
            return real.measure(outputs, desired)

        return Loss(real.name, measure, real.error, real.output_activation)

    monkeypatch.setattr(network, "loss", counting)
    x = np.random.default_rng(0).normal(size=(60, 4))
    y = (x[:, 0] > 0).astype(int)
    net = Network.layered([4, 3, 2], seed=0)
    answered = []
    net.fit(x, y, epochs=1, on_progress=lambda epoch, board: answered.append(board.seen))
    assert answered == list(range(1, 61))
    assert measured == [60]  # once, at the end of the pass

    measured.clear()
    seen, tallies = [], []

    def now_and_then(epoch, board):
        seen.append(board.last[1][0].copy())
        if board.seen % 7 == 0:
            tallies.append((board.seen, board.loss_sum, list(board.recent)))

    history = Network.layered([4, 3, 2], seed=0).fit(x, y, epochs=1, shuffle=False, on_progress=now_and_then)
    assert measured == [7] * 8 + [4]  # the examples heard since the last reading, then the rest
    outputs = np.array(seen)
    losses, _ = loss("cross_entropy").measure(outputs.T, np.eye(2)[y].T)
    for count, loss_sum, recent in tallies:
        assert loss_sum == pytest.approx(losses[:count].sum(), rel=1e-12)
        assert recent == (outputs[:count].argmax(axis=1) == y[:count]).tolist()
    assert history[0]["loss"] == pytest.approx(losses.mean(), rel=1e-12)
    unwatched = Network.layered([4, 3, 2], seed=0).fit(x, y, epochs=1, shuffle=False)
    assert history[0]["loss"] == pytest.approx(unwatched[0]["loss"], rel=1e-12)
    assert history[0]["accuracy"] == unwatched[0]["accuracy"]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_predictions_in_batches_are_the_bits_of_each_example_presented_alone(activation):
    """`predict` presents the examples as batches (a vector per message); nothing is learned, so each
    example's outputs must be the very bits it gets alone, a float per message (as `fit` presents it)."""
    from exmachina.actors.runtime import LocalRuntime
    from exmachina.actors.society import Society

    net = Network.layered([20, 9, 7, 4], activation=activation, seed=3)
    x = np.random.default_rng(4).normal(size=(150, 20))  # batches of 64, 64 and 22
    alone = {}
    society = Society(net.blueprint, LocalRuntime(), lambda tag, outputs, desired: alone.update({tag: outputs}))
    for i in range(len(x)):
        society.feed([(i, x[i], None)], learning=False)
    assert np.stack([alone[i] for i in range(len(x))]).tobytes() == net.predict(x).tobytes()


@pytest.mark.parametrize("engine", ["actors", "matrix"])
def test_predicting_block_by_block_on_one_engine_gives_what_predict_gives(engine):
    """`predicting` keeps one engine (one society) for many calls, as `learn` scores a large set a
    block at a time: blocks of any size, in any order, and a block predicted twice, give `predict`'s
    outputs; on the actors its very bits (BLAS sums a block of other rows in another order)."""
    net = Network.layered([6, 5, 3], activation="tanh", seed=2)
    x = np.random.default_rng(5).normal(size=(200, 6))
    whole = net.predict(x, engine=engine)
    with net.predicting(engine) as predict:
        blocks = [predict(x[130:]), predict(x[:1]), predict(x[1:130]), predict(x[:1])]
    assert blocks[1].tobytes() == blocks[3].tobytes()
    joined = np.concatenate(blocks[1:3] + blocks[:1])
    if engine == "actors":
        assert joined.tobytes() == whole.tobytes()
    np.testing.assert_allclose(joined, whole, rtol=0, atol=1e-14)
