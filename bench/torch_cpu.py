"""What a user would pick instead of the actors: PyTorch on the CPU, one thread, float64.

`learn` is the usual PyTorch loop (an `nn.Sequential` of `Linear` and `Sigmoid`, the squared loss,
`torch.optim.SGD`), started from a blueprint's weights (`bench.baseline.layers_of`) and fed the
examples in the order `Network.fit` draws, so its learned weights can be checked against the
actors'. Torch is imported only here: the suite runs without it.
"""

from __future__ import annotations

import numpy as np
import torch

from .baseline import Layers


def model_of(layers: Layers) -> torch.nn.Sequential:
    """`layers` as Linear and Sigmoid modules in float64, each Linear holding a copy of its weights."""
    torch.set_num_threads(1)
    modules: list[torch.nn.Module] = []
    for w, b in layers:
        linear = torch.nn.Linear(*w.shape, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.T))
            linear.bias.copy_(torch.from_numpy(b))
        modules += [linear, torch.nn.Sigmoid()]
    return torch.nn.Sequential(*modules)


def learn(model: torch.nn.Sequential, x: np.ndarray, desired: np.ndarray, rate: float,
          batch_size: int) -> np.ndarray:
    """One pass of SGD over (x, desired) in the order given; each example's outputs before its step."""
    optimizer = torch.optim.SGD(model.parameters(), lr=rate)
    x, desired = torch.from_numpy(x), torch.from_numpy(desired)
    outputs = torch.empty(desired.shape, dtype=torch.float64)
    for start in range(0, len(x), batch_size):
        out = model(x[start:start + batch_size])
        loss = 0.5 * ((out - desired[start:start + batch_size]) ** 2).sum(dim=1).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        outputs[start:start + batch_size] = out.detach()
    return outputs.numpy()


def layers_from(model: torch.nn.Sequential) -> Layers:
    """The weights and biases the model holds, as `bench.baseline` keeps them."""
    return [(m.weight.detach().numpy().T.copy(), m.bias.detach().numpy().copy())
            for m in model if isinstance(m, torch.nn.Linear)]
