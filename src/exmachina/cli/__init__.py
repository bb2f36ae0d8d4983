"""The command line: `exmachina learn`, `predict`, `info`, `trace`, `explain`, `watch`, `plot`.

Each command lives in a module of its own in this package and registers itself on `app`. The
signals are taken over first, so that even a Ctrl-C while the commands load is one line.
"""

from __future__ import annotations

from .interrupts import install, starting

install()
with starting():
    from typing import Annotated

    import typer

    from .. import __version__
    from .common import App

    app = App(
        name="exmachina",
        help="A neural network in which every neuron is its own process, learning by messages.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    def _version(asked: bool) -> None:
        if asked:
            typer.echo(f"exmachina {__version__}")
            raise typer.Exit()

    @app.callback()
    def main(version: Annotated[bool, typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False) -> None:
        """A neural network in which every neuron is its own process, learning by messages."""

    # command modules: importing one registers its commands on `app`
    from . import explain, info, learn, plot, predict, trace, watch  # noqa: E402,F401
