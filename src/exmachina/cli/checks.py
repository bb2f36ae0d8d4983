"""Checks that every command makes before any work: no output may overwrite an input or another
output, every output can be written, and no option asks for the impossible."""

from __future__ import annotations

import os
from pathlib import Path

from .common import writable

FILE_SOURCES = ("csv", "semeion", "mnist")  # --data kinds that name a file or a folder of files


def data_files(source: str | None) -> list[Path]:
    """The files that `--data SOURCE` reads (the IDX files of a MNIST folder)."""
    kind, _, path = (source or "").partition(":")
    if kind not in FILE_SOURCES or not path:
        return []
    if kind == "mnist" and Path(path).is_dir():
        return [p for p in Path(path).iterdir() if p.is_file()]
    return [Path(path)]


def same_file(a: Path, b: Path) -> bool:
    """One file under two names: the same device and inode (links included), or the same real path."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return os.path.realpath(a) == os.path.realpath(b)


def outputs_apart(outputs: dict[str, Path | None], inputs: dict[str, Path | list[Path] | None]) -> None:
    """Refuse an output that would replace an input or another output; then check each can be written.

    `outputs` and `inputs` map an option (`--save`, `MODEL`, `--data`) to the file it names.
    """
    named = [(option, path) for option, path in outputs.items() if path is not None and str(path) != "-"]
    read = [(option, path) for option, paths in inputs.items() if paths is not None
            for path in (paths if isinstance(paths, list) else [paths])]
    for i, (option, path) in enumerate(named):
        for other, taken in named[:i]:
            if same_file(path, taken):
                raise ValueError(f"{other} {taken} and {option} {path} are the same file: one would replace "
                                 "the other; give each its own file")
        for other, source in read:
            if same_file(path, source):
                raise ValueError(f"{option} {path} is the file that {other} reads ({source}): writing it would "
                                 "destroy it; choose another file")
        writable(path, option)
