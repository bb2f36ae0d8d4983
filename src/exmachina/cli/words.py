"""Words from files (class names, labels, column and file names, a model's notes) reach the terminal
as the text they are: never as Rich markup (`[/INST]` would crash the printing), an emoji code
(`:x:`) or an escape sequence that the terminal obeys (clearing the screen, setting the window's
title). `printable` escapes what a terminal could take for a command; `shown` also escapes Rich's
markup, for text printed by a console that reads markup.
"""

from __future__ import annotations

from typing import Any

SURROGATES = range(0xDC80, 0xDD00)  # a file name's undecodable bytes, as Python keeps them


def printable(value: Any) -> str:
    """The text of `value` with every character a terminal would not simply print written as an
    escape (`\\x1b`, `\\u202e`): controls (C0, C1, DEL), the invisible format characters (the
    bidirectional overrides turn text around), line separators, and a file name's undecodable bytes
    (as the bytes they were). Ordinary text, accents and other scripts included, is left alone."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else _escaped(c) for c in text)


def shown(value: Any) -> str:
    """`printable`, and safe inside Rich markup: a `[` of the text is never taken for a tag."""
    from rich.markup import escape  # here: the signals are taken over before Rich is imported

    return escape(printable(value))


def _escaped(c: str) -> str:
    code = ord(c)
    if code in SURROGATES:
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
