"""Text for the terminal it is read on: tables that fit its width without cutting a number.

A console here is as wide as the terminal (`COLUMNS` when it is set; 80 with no terminal at all),
piped or not. Rich shrinks a table that is too wide by narrowing its widest columns, which can cut a
number in two; `table` instead gives every column at least the width of the longest word with a
digit in it, and of its other words as far as they fit, so that lines wrap between words. When
they do not all fit, the longest words without a digit (a class's long name) are folded.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table


def console() -> Console:
    """Colour on a terminal, plain text in a pipe; as wide as the terminal either way. No markup and
    no emoji codes: what it prints may name a file or a model's class."""
    return Console(markup=False, highlight=False, emoji=False)


def table(columns: Sequence[str], rows: list[list[str]], width: int, right: Sequence[str] = (),
          title: str | None = None) -> Table:
    """A borderless table at most `width` wide: columns two spaces apart (one if two do not fit), each
    wide enough for every number in it and, as far as they fit, its other words too. Where not even
    the numbers fit, it is wider (print it with `crop=False`): a terminal wraps it, whole."""
    cells = [list(columns), *rows]
    numbers, words, most = ([1] * len(columns) for _ in range(3))
    for row in cells:
        for i, cell in enumerate(row):
            for word in cell.split():
                if any(c.isdigit() for c in word):
                    numbers[i] = max(numbers[i], cell_len(word))
                else:
                    words[i] = max(words[i], cell_len(word))
            most[i] = max(most[i], *(cell_len(line) for line in cell.splitlines() or [""]))

    def least(cap: int) -> list[int]:
        return [max(n, min(w, cap)) for n, w in zip(numbers, words)]

    between, cap = len(columns) - 1, max(words)
    gap = 2 if sum(least(cap)) + 2 * between <= width else 1
    if sum(least(1)) + between > width:  # not even the numbers fit: wider than the terminal, whole
        width = sum(least(max(numbers))) + between
    while sum(least(cap)) + between > width:  # fold the longest words, never a number
        cap -= 1
    widths = spread(least(cap), most, cells, width - gap * between)
    shown = Table(box=None, padding=(0, 1), pad_edge=False, collapse_padding=gap == 1, title=title,
                  title_justify="left", width=sum(widths) + gap * between)
    for name, size in zip(columns, widths):
        shown.add_column(name, width=size, justify="right" if name in right else "left", overflow="fold")
    for row in rows:
        shown.add_row(*row)
    return shown


def spread(least: list[int], most: list[int], cells: list[list[str]], room: int) -> list[int]:
    """Column widths in `room`: each as much as it needs when all fit. Else each its least, and then,
    again and again, the column that saves the most lines (of at most 100 rows) for each character
    it takes, widened to where it saves them; what no line needs goes to the column with most text."""
    if sum(most) <= room:
        return most
    sample = cells[::-(-len(cells) // 100)]
    lengths = [[[cell_len(w) for w in row[i].split()] for row in sample] for i in range(len(least))]

    @functools.cache
    def lines(i: int, width: int) -> tuple[int, ...]:
        return tuple(wrapped(words, width) for words in lengths[i])

    def height(widths: list[int]) -> int:
        return sum(map(max, zip(*(lines(i, w) for i, w in enumerate(widths)))))

    widths, spare = list(least), room - sum(least)
    while spare > 0:
        now, best, gain = height(widths), None, 0.0
        for i, w in enumerate(widths):
            wider = next((v for v in range(w + 1, min(most[i], w + spare) + 1)
                          if sum(lines(i, v)) < sum(lines(i, w))), None)
            if wider is not None:
                saved = (now - height([*widths[:i], wider, *widths[i + 1:]])) / (wider - w)
                if saved > gain:
                    best, gain = (i, wider), saved
        if best is None:
            break
        spare -= best[1] - widths[best[0]]
        widths[best[0]] = best[1]
    text = [sum(map(sum, column)) for column in lengths]
    for i in sorted(range(len(widths)), key=lambda i: -text[i]):
        more = min(spare, most[i] - widths[i])
        widths[i], spare = widths[i] + more, spare - more
    return widths


def wrapped(words: list[int], width: int) -> int:
    """How many lines words of these lengths take at this width, wrapped between words (a longer
    word folded)."""
    lines, used = 1, 0
    for n in words:
        if used and used + 1 + n <= width:
            used += 1 + n
        else:
            lines += (1 if used else 0) + (n - 1) // width
            used = (n - 1) % width + 1
    return lines


def show(out: Console, render: Callable[[], None], paged: bool = False) -> None:
    """`render` onto `out`: through the pager when asked and on a terminal; in a pipe, as plain lines
    without the spaces that pad them."""
    if out.is_terminal:
        if paged:
            with out.pager(styles=True):
                render()
        else:
            render()
        return
    with out.capture() as text:
        render()
    sys.stdout.write("".join(line.rstrip() + "\n" for line in text.get().splitlines()))
