"""exmachina: a neural network in which every neuron is its own process, learning by messages.

The names below are imported when first used: the command line takes over Ctrl-C before NumPy
and the rest load, and the scikit-learn estimators cost a second only to those who ask for them.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "ACTIVATIONS": "actors.activations", "LOSSES": "actors.losses", "LocalRuntime": "actors.runtime",
    "ShuffledRuntime": "actors.shuffled", "Blueprint": "network.blueprint", "layered": "network.blueprint",
    "MatrixEngine": "network.matrix", "Network": "network.network", "NeuronClassifier": "network.estimators",
    "NeuronRegressor": "network.estimators",
}
__all__ = sorted(_HOMES)
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
