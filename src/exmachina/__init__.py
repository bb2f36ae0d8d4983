"""exmachina: a neural network in which every neuron is its own process, learning by messages."""

from .activations import ACTIVATIONS
from .blueprint import Blueprint, layered
from .losses import LOSSES
from .matrix import MatrixEngine
from .network import Network
from .runtimes import LocalRuntime, ShuffledRuntime

__all__ = [
    "ACTIVATIONS", "LOSSES", "Blueprint", "LocalRuntime", "MatrixEngine", "Network",
    "ShuffledRuntime", "layered",
]
__version__ = "0.1.0"
