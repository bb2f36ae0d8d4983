"""exmachina: a neural network in which every neuron is its own process, learning by messages."""

from .activations import ACTIVATIONS
from .blueprint import Blueprint, layered
from .losses import LOSSES
from .matrix import MatrixEngine
from .network import Network
from .runtimes import LocalRuntime, ShuffledRuntime

__all__ = [
    "ACTIVATIONS", "LOSSES", "Blueprint", "LocalRuntime", "MatrixEngine", "Network", "NeuronClassifier",
    "NeuronRegressor", "ShuffledRuntime", "layered",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """The scikit-learn estimators, imported when first asked for (scikit-learn takes a second)."""
    if name in ("NeuronClassifier", "NeuronRegressor"):
        from . import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
