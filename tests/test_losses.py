"""Cross-entropy with targets that need not sum to one, against PyTorch's `cross_entropy`."""

from __future__ import annotations

import numpy as np
import pytest

from exmachina import Network
from exmachina.actors.losses import loss

pytestmark = pytest.mark.xdist_group("torch")  # PyTorch imported by one worker only (tests/conftest.py)

SOFT = np.array([[0.2, 0.5, 0.6], [0.0, 0.0, 0.5], [1.0, 1.0, 1.0], [0.3, 0.3, 0.4]])  # sums 1.3, 0.5, 3, 1


def test_the_teachers_error_is_pytorchs_gradient_for_soft_targets():
    import torch

    outputs = np.random.default_rng(0).normal(size=(4, 3)) * 3
    logits = torch.tensor(outputs, requires_grad=True)
    torch.nn.functional.cross_entropy(logits, torch.tensor(SOFT), reduction="sum").backward()
    losses, errors = loss("cross_entropy").measure(outputs.T, SOFT.T)
    expected = torch.nn.functional.cross_entropy(torch.tensor(outputs), torch.tensor(SOFT), reduction="none")
    np.testing.assert_allclose(losses, expected.numpy(), rtol=1e-13)
    np.testing.assert_allclose(errors.T, logits.grad.numpy(), rtol=1e-13, atol=1e-15)


def test_one_hot_targets_keep_the_very_same_bits():
    outputs = np.random.default_rng(1).normal(size=(3, 5))
    desired = np.eye(3)[:, [0, 2, 1, 1, 0]]
    _, errors = loss("cross_entropy").measure(outputs, desired)
    shifted = outputs - outputs.max(axis=0)
    probabilities = np.exp(shifted - np.log(np.exp(shifted).sum(axis=0)))
    assert (errors == probabilities - desired).all()


def test_the_actors_learn_what_pytorch_learns_from_soft_targets():
    import torch

    from oracle import TorchNetwork

    class SoftTorch(TorchNetwork):
        def loss(self, activity, desired):
            outputs = torch.stack([activity[o] for o in self.blueprint.outputs], dim=1)
            return torch.nn.functional.cross_entropy(outputs, torch.tensor(np.atleast_2d(desired)))

    net = Network.layered([2, 5, 3], activation="tanh", loss="cross_entropy", seed=3)
    oracle = SoftTorch(net.blueprint.copy())
    x = np.random.default_rng(2).normal(size=(4, 2))
    inputs, targets = np.tile(x, (5, 1)), np.tile(SOFT, (5, 1))
    net.fit(inputs, targets, epochs=1, learning_rate=0.3, shuffle=False)
    weights, biases = oracle.train(inputs, targets, learning_rate=0.3)
    np.testing.assert_allclose(net.blueprint.weights, weights, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(net.blueprint.biases, biases, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("size", [1, 2, 7, 8, 10, 17, 100, 129, 300])
def test_one_examples_errors_in_python_have_numpys_bits(size):
    """The teacher's plain-Python path for one example (ten values cost less than NumPy's calls) gives
    the bits of `error`, whose sums NumPy takes pairwise: summed in turn, most sizes would differ."""
    found = loss("cross_entropy")
    rng = np.random.default_rng(size)
    for k in range(300):
        outputs = rng.normal(size=size) * rng.uniform(0.1, 30)
        desired = np.eye(size)[rng.integers(size)] if k % 2 else rng.uniform(0, 1, size)
        assert found.error_of_one(outputs.tolist(), desired.tolist()) == found.error(outputs, desired).tolist()
    for bad in (np.nan, np.inf, -np.inf):  # left to NumPy: its max and NaNs are its own
        outputs = rng.normal(size=max(size, 2))
        outputs[-1] = bad
        desired = np.eye(len(outputs))[0]
        assert (found.error_of_one(outputs.tolist(), desired.tolist()) is None) == (bad != -np.inf)
