"""How a network learns: every setting of `Network.fit`, each rule written once.

`Network.fit`, the estimators, the command line and the live view all check settings here, so a
setting means the same everywhere and an error names the setting it is about (`field`); the command
line says it as its option (`learning_rate` as `--learning-rate`), here and where a rule names
another setting in backquotes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from ..shards.placement import PARTITIONS

ENGINES = ("actors", "matrix")
C_INT = 2**31 - 1  # the compiled neurons count the examples in flight in a C int


def _whole(low: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= low


def _real(v: Any) -> bool:
    """A real number (NumPy's too), finite, and not True or False."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "epochs": (_whole(0), "the passes must be 0 or more"),
    "learning_rate": (lambda v: _real(v) and v > 0, "the learning rate must be a positive number"),
    "batch_size": (_whole(1), "a batch must hold at least 1 example"),
    "in_flight": (lambda v: _whole(1)(v) and v <= C_INT, f"at least 1 example must be in flight, and at most "
                                                          f"{C_INT:,}"),
    "noise": (lambda v: _real(v) and v >= 0, "the noise must be 0 or a positive number"),
    "seed": (lambda v: isinstance(v, int), "a seed must be a whole number"),
    "shuffle": (lambda v: isinstance(v, bool), "must be True or False"),
    "engine": (lambda v: v in ENGINES, f"unknown engine; choose one of {', '.join(ENGINES)}"),
    "shuffle_delivery": (lambda v: isinstance(v, bool), "must be True or False"),
    "shards": (lambda v: v is None or _whole(1)(v), "the shards must be a whole number, at least 1"),
    "cluster": (lambda v: v is None or isinstance(v, str), "a cluster is the address of a Ray cluster"),
    "partition": (lambda v: v in PARTITIONS, f"unknown partition; choose one of {', '.join(PARTITIONS)}"),
    "checkpoint_every": (_whole(1), "a checkpoint must come every 1 example or more"),
}


class SettingError(ValueError):
    """A setting that asks for the impossible: `field` names it, `value` is what was given."""

    def __init__(self, field: str, value: Any, rule: str) -> None:
        self.field, self.value, self.rule = field, value, rule
        super().__init__(f"{field} {value!r}: {rule}")


def check(**settings: Any) -> None:
    """Refuse a setting out of its range, or settings that cannot go together. Only the settings
    given are checked (the command line checks those it has before it loads any data)."""
    for field, value in settings.items():
        test, rule = RULES[field]
        if not test(value):
            raise SettingError(field, value, rule)
    given = settings.get
    if given("engine") == "matrix":
        if given("in_flight", 1) != 1:
            raise SettingError("in_flight", given("in_flight"), "the matrix engine has no examples in flight; "
                                                                "use the `engine` actors for that")
        if given("noise", 0):
            raise SettingError("noise", given("noise"), "the matrix engine adds no noise; "
                                                        "use the `engine` actors for that")
    if given("shards") is not None:
        if given("engine", "actors") != "actors":
            raise SettingError("shards", given("shards"), "shards host neuron processes: they need the `engine` actors")
        if given("shuffle_delivery"):
            raise SettingError("shuffle_delivery", True, "shuffled delivery runs in one process; leave out `shards`")
    elif given("cluster") is not None:
        raise SettingError("cluster", given("cluster"), "needs `shards` too: how many processes to split the "
                                                        "neurons over")


@dataclass
class Training:
    """The settings of one call to `fit`, checked when made. The learning rate is the one setting
    that may change while the network learns (from `on_progress`: a callback, or the live view)."""

    epochs: int = 10
    learning_rate: float = 0.1
    batch_size: int = 1
    in_flight: int = 1
    noise: float = 0.0
    seed: int = 0
    shuffle: bool = True
    engine: str = "actors"
    shuffle_delivery: bool = False
    shards: int | None = None
    cluster: str | None = None
    partition: str = "spread"
    checkpoint_every: int = 100

    def __post_init__(self) -> None:
        for field in ("epochs", "batch_size", "in_flight", "seed", "checkpoint_every", "shards"):
            value = getattr(self, field)  # NumPy's integers are whole numbers too
            if hasattr(value, "__index__") and not isinstance(value, bool):
                setattr(self, field, int(value))
        check(**asdict(self))

    def retune(self, rate: float) -> None:
        """Learn at `rate` from the next example on."""
        check(learning_rate=rate)
        self.learning_rate = rate

    def recorded(self) -> dict[str, Any]:
        """What a model keeps of how it learned (the rate as it was at the end)."""
        kept = ("learning_rate", "batch_size", "in_flight", "noise", "seed", "engine", "shards", "partition")
        return {key: getattr(self, key) for key in kept if key not in ("shards", "partition") or self.shards}
