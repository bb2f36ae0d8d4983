"""The command line: `exmachina learn`, `predict`, `info`, `trace`, `explain`, `watch`.

Each command lives in a module of its own in this package and registers itself on `app`.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="exmachina",
    help="A neural network in which every neuron is its own process, learning by messages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# command modules: importing one registers its commands on `app`
from . import explain, info, learn, predict, trace, watch  # noqa: E402,F401
