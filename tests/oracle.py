"""PyTorch (float64) as the oracle: the same network, written with autograd, trained by torch's SGD."""

from __future__ import annotations

import numpy as np
import torch

from exmachina import Blueprint

torch.set_default_dtype(torch.float64)

ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
    "identity": lambda z: z,
}


class TorchNetwork:
    """Any blueprint as a torch computation: one weight per synapse, one bias per non-sensor."""

    def __init__(self, blueprint: Blueprint) -> None:
        self.blueprint = blueprint
        self.weights = torch.tensor(blueprint.weights, requires_grad=True)
        self.biases = torch.tensor(blueprint.biases, requires_grad=True)
        self.incoming = [np.flatnonzero(blueprint.targets == j) for j in range(blueprint.size)]

    def forward(self, x: np.ndarray) -> tuple[list, list]:
        """Total inputs and activities of every neuron, for a batch (examples, sensors)."""
        x = torch.tensor(np.atleast_2d(x), requires_grad=True)
        bp = self.blueprint
        total, activity = [None] * bp.size, [None] * bp.size
        for k, sensor in enumerate(bp.sensors):
            total[sensor] = activity[sensor] = x[:, k]
        for j in range(bp.size):
            if bp.kinds[j] == "sensor":
                continue
            synapses = self.incoming[j]
            z = self.biases[j] + sum(self.weights[s] * activity[bp.sources[s]] for s in synapses)
            total[j], activity[j] = z, ACTIVATIONS[bp.activations[j]](z)
        return total, activity

    def loss(self, activity: list, desired: np.ndarray) -> torch.Tensor:
        outputs = torch.stack([activity[o] for o in self.blueprint.outputs], dim=1)
        desired = torch.tensor(np.atleast_2d(desired))
        if self.blueprint.loss == "squared":
            return (0.5 * ((outputs - desired) ** 2).sum(dim=1)).mean()
        if self.blueprint.loss == "mse":
            return ((outputs - desired) ** 2).mean(dim=1).mean()
        return torch.nn.functional.cross_entropy(outputs, desired.argmax(dim=1))

    def train(self, x: np.ndarray, desired: np.ndarray, learning_rate: float, batch_size: int = 1):
        """SGD over the examples in the given order; the sensors' biases are not parameters."""
        optimizer = torch.optim.SGD([self.weights, self.biases], lr=learning_rate)
        learns_bias = torch.tensor(np.asarray(self.blueprint.kinds) != "sensor", dtype=torch.float64)
        for start in range(0, len(x), batch_size):
            optimizer.zero_grad()
            _, activity = self.forward(x[start:start + batch_size])
            self.loss(activity, desired[start:start + batch_size]).backward()
            self.biases.grad *= learns_bias
            optimizer.step()
        return self.weights.detach().numpy(), self.biases.detach().numpy()

    def step_details(self, x: np.ndarray, desired: np.ndarray):
        """Activities and errors (dLoss/dz; for sensors dLoss/dx) of every neuron for one example."""
        total, activity = self.forward(x)
        for z in total:
            z.retain_grad()
        self.loss(activity, desired).backward()
        activities = np.array([a.detach().numpy()[0] for a in activity])
        errors = np.array([z.grad.numpy()[0] for z in total])
        self.weights.grad = None
        self.biases.grad = None
        return activities, errors
