"""What the commands share: one-line errors with exit status 2, consoles, files written whole,
and the progress bar that shows a network learning."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperCommand

from ..data.files import atomic_file, check_writable
from ..network.scoreboard import Scoreboard
from .interrupts import NAMES, say, signum_of, unsaid, unwrapped
from .words import shown

USAGE_ERROR = 2
FAILED = 1  # the run itself failed (a shard lost for good), not the way it was asked for


def console(stderr: bool = False) -> Console:
    """A Rich console: colour on a terminal, plain text (and no wrapping of wide tables) otherwise; an
    emoji code in a file's name stays the text it is."""
    stream = sys.stderr if stderr else sys.stdout
    terminal = stream.isatty()
    return Console(
        file=stream, no_color=not terminal, highlight=False, soft_wrap=not terminal, emoji=False,
        width=None if terminal else 200,
    )


def fail(message: str, status: int = USAGE_ERROR) -> NoReturn:
    """One red line on stderr saying what went wrong and where, then exit status 2 (or `status`)."""
    line = " ".join(str(message).split())  # one line, whatever the message held
    console(stderr=True).print(f"[bold red]error:[/] {shown(line)}", soft_wrap=True)
    raise typer.Exit(status)


@contextmanager
def reported() -> Iterator[None]:
    """Turn the ValueErrors and OSErrors of bad input into `fail`: a line, never a traceback."""
    try:
        yield
    except ValueError as bad:
        fail(str(bad))
    except OSError as bad:
        where = f"{bad.filename}: " if bad.filename else ""
        fail(f"{where}{bad.strerror or bad}")


# Typer may bring its own copy of Click: take the usage error class from the one Typer uses.
UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class OneLineErrors(TyperCommand):
    """A command whose usage errors (unknown option, bad value) are one line and exit status 2."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except UsageError as bad:
            fail(f"{ctx.command_path}: {bad.format_message()}")


class App(typer.Typer):
    """The commands, which a stop (Ctrl-C, SIGTERM, SIGHUP) ends with one line and 128 + the
    signal's number wherever it finds them (Typer alone exits 130 without a word)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            with np.errstate(all="ignore"):  # a diverging run is said in one line, not in NumPy's warnings
                return super().__call__(*args, **kwargs)
        except (KeyboardInterrupt, RuntimeError) as error:
            stop = unwrapped(error)
            if not isinstance(stop, KeyboardInterrupt):
                raise
            signum = signum_of(stop)
        except SystemExit as leaving:
            signum = unsaid()
            if signum is None or leaving.code != 130:
                raise
        say(f"interrupted ({NAMES[signum]}): stopped; no file was left half-written")
        sys.exit(128 + signum)


def choose(option: str, value: str | None, choices: Any) -> None:
    """A named choice (activation, loss, engine) or a ValueError that lists the ones there are."""
    if value is not None and value not in choices:
        raise ValueError(f"{option} {value!r} is unknown; choose one of {', '.join(choices)}")


Shards = Annotated[int | None, typer.Option(
    rich_help_panel="Shards",
    metavar="N", help="Split the neurons over N processes on Ray, which restarts one that crashes "
                      '(pip install "exmachina\\[cluster]").', show_default=False)]  # \\[: not Rich markup
Cluster = Annotated[str | None, typer.Option(
    rich_help_panel="Shards",
    metavar="ADDRESS", help="With --shards: join the Ray cluster started there with `ray start --head` "
                            "(default: start Ray on this machine).", show_default=False)]
Partition = Annotated[str, typer.Option(
    rich_help_panel="Shards",
    help="With --shards: spread (every layer over every shard) or layers (whole layers on each shard).")]


def numbers(text: str, what: str) -> list[float]:
    """Comma-separated numbers, e.g. `0,1`, or a ValueError naming the option."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(f"{what} must be numbers separated by commas, got {text!r}") from None
    return values


def sizes(text: str, what: str = "--layers") -> list[int]:
    """Layer sizes such as `64,32,10`."""
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(f"{what} must be whole numbers separated by commas, e.g. 64,32,10; got {text!r}") from None
    if min(values) < 1:
        raise ValueError(f"{what}: every layer needs at least one neuron, got {text!r}")
    return values


def writable(path: Path | None, option: str) -> None:
    """Check before a long run that a file can be written where asked, so no work is lost at the end."""
    if path is not None:
        try:
            check_writable(path)
        except ValueError as bad:
            raise ValueError(f"{option} {bad}") from None


def write_whole(path: Path, text: str) -> None:
    """Write a file atomically, so that an interruption never leaves half of it behind."""
    with atomic_file(path) as f:
        f.write(text)


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def figure(value: float | None) -> str:
    """A loss to four decimals, or in scientific notation where four decimals would not show it: a
    diverged loss of 1e162 is not 167 digits, and 3e-7 is not 0.0000."""
    if value is None:
        return "-"
    return f"{value:.4f}" if value == 0 or 1e-4 <= abs(value) < 1e6 else f"{value:.4e}"


class LearningBar:
    """A Rich progress bar for the pass under way: examples, examples/s, last-200 accuracy.

    The teacher reports every example; the bar is redrawn at most ten times a second so that
    watching costs the neurons almost nothing.
    """

    def __init__(self, out: Console, epochs: int) -> None:
        self.epochs = epochs
        self.progress = Progress(
            TextColumn("pass {task.fields[epoch]}/" + str(epochs)),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>6.0f} examples/s"),
            TextColumn("last 200: {task.fields[recent]}"),
            TimeElapsedColumn(),
            console=out,
            transient=True,
        )
        self.task = None
        self.shown = 0.0
        self.headed = False  # the header of the pass lines is printed once

    def __enter__(self) -> LearningBar:
        # piped, the pass lines say it all: a bar there would end in a blank line (Rich's stop prints one)
        self.shows = self.progress.console.is_terminal
        if self.shows:
            self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.shows:
            self.progress.stop()

    def begin(self, epoch: int, examples: int) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task("learning", total=examples, epoch=epoch, rate=0.0, recent="-")

    def update(self, board: Scoreboard) -> None:
        now = time.perf_counter()
        if now - self.shown < 0.1 and board.seen < board.total:
            return
        self.shown = now
        self.progress.update(self.task, completed=board.seen, rate=board.seen / max(board.seconds, 1e-9),
                             recent=percent(board.recent_accuracy))

    def note(self, line: str) -> None:
        """A line that stays above the bar."""
        self.progress.console.print(line, soft_wrap=True)

    def passed(self, done: dict[str, Any]) -> None:
        """A pass completed: a row of figures under a header printed once, within 80 columns.

        learning is the accuracy while learning (each example scored as it went by), last 200
        the share of the last 200 of them that were right; train and test are measured after the
        pass. With shards, a second line counts the transfers and restarts.
        """
        if not self.headed:
            self.note(f"{'pass':>9}  {'loss':>7}  {'learning':>8}  {'last 200':>8}  {'train':>6}  {'test':>6}  "
                      f"{'examples/s':>10}")
            self.headed = True
        self.note(f"{str(done['epoch']) + '/' + str(self.epochs):>9}  "
                  f"{figure(done['loss']):>7}  {percent(done['accuracy']):>8}  {percent(done['recent_accuracy']):>8}  "
                  f"{percent(done['train_accuracy']):>6}  {percent(done['test_accuracy']):>6}  "
                  f"{done['examples_per_second']:>10,.0f}")
        if "shards" in done:
            self.note(f"{'':>11}{done['transfers']:,} transfers between {done['shards']} shards and the driver, "
                      f"{done['restarts']} restarts")
