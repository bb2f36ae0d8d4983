"""Checks that every command makes before any work: no output may overwrite an input or another
output, every output can be written, and no option asks for the impossible."""

from __future__ import annotations

import math
import os
import socket
from collections.abc import Callable
from pathlib import Path

from ..data.reading import available_memory, gib
from ..network import memory
from ..network.training import SettingError, check
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


# -- options that ask for the impossible -----------------------------------------------------------

# the options that are settings of `Network.fit`: checked by its rules (`network.training`), named as options
SETTINGS = {"--epochs": "epochs", "--learning-rate": "learning_rate", "--batch": "batch_size",
            "--in-flight": "in_flight", "--noise": "noise", "--engine": "engine", "--shards": "shards",
            "--cluster": "cluster", "--partition": "partition", "--checkpoint-every": "checkpoint_every"}
OPTION = {field: option for option, field in SETTINGS.items()}
SEED_RANGE = 2**32  # the split's NumPy RandomState takes seeds below this
RULES: dict[str, tuple[Callable[[float], bool], str]] = {  # the options that are not
    "--test-fraction": (lambda v: math.isfinite(v) and 0 <= v < 1, "the share held back must be at least 0 "
                                                                    "and below 1"),
    "--seed": (lambda v: 0 <= v < SEED_RANGE, f"a seed must be a whole number from 0 to {SEED_RANGE - 1}"),
    "--points": (lambda v: v >= 4, "there must be at least 4 points"),
    "--spread": (lambda v: math.isfinite(v) and 0 <= v <= 1, "the spread must be between 0 and 1"),
    "--port": (lambda v: 0 <= v <= 65535, "a port is a number from 0 to 65535 (0: any free port)"),
    "--show": (lambda v: v >= 0, "the predictions shown must be 0 (all) or more"),
    "--example": (lambda v: v >= 0, "examples are numbered from 0"),
}
POINT_BYTES = 400  # a generated 2-D point: its coordinates, label, split and place in a pass


def options(given: dict[str, float | str | None]) -> None:
    """Refuse at once an option out of its range, or options that cannot go together (None: not given)."""
    try:
        check(**{SETTINGS[o]: value for o, value in given.items() if o in SETTINGS and value is not None})
    except SettingError as bad:
        rule = bad.rule
        for field, option in OPTION.items():
            rule = rule.replace(f"`{field}`", option)
        value = repr(bad.value) if isinstance(bad.value, str) else bad.value
        raise ValueError(f"{OPTION[bad.field]} {value}: {rule}") from None
    for option, value in given.items():
        if option in SETTINGS:
            continue
        test, rule = RULES[option]
        if value is not None and not test(value):
            raise ValueError(f"{option} {value}: {rule}")


def affordable(layers: list[int] | None, points: int | None = None) -> None:
    """Refuse layers or points whose memory estimate exceeds the memory there is, naming the estimate."""
    room = available_memory()
    if layers is not None:
        memory.affordable(layers, f"--layers {','.join(map(str, layers))}")
    if points is not None and points * POINT_BYTES > room:
        raise ValueError(f"--points {points:,} would need about {gib(points * POINT_BYTES)} of memory "
                         f"({POINT_BYTES} bytes a point); {gib(room)} is available")


def serveable(host: str, port: int) -> None:
    """Refuse before any work an address the live view could not be served on (unknown, taken)."""
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as bad:
        raise ValueError(f"--host {host}: not an address to serve on ({getattr(bad, 'strerror', None) or bad})") \
            from None
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as bad:
            raise ValueError(f"--host {host} --port {port}: cannot serve on {host}:{port} ({bad.strerror})") \
                from None
