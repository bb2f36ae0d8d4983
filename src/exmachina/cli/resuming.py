"""`learn --checkpoint DIR` and `learn --resume DIR`: the command's options kept beside the run's checkpoints.

`fit` keeps what it needs to go on (`network.checkpoints`); the command keeps the rest, what it
needs to make the same network from the same data and to write the same files: `learn.json`,
written once, whole, before the first example. File names in it are absolute, so a run resumes
from any folder.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

from ..data.files import atomic_file
from ..network import checkpoints
from .checks import FILE_SOURCES

OPTIONS = "learn.json"
NOT_KEPT = ("ctx", "checkpoint", "resume", "watch", "host", "port", "paused")  # a resumed run is not watched


def _absolute(data: str) -> str:
    kind, colon, path = data.partition(":")
    return f"{kind}:{Path(path).absolute()}" if kind in FILE_SOURCES and colon and path else data


def keep(folder: Path, given: dict[str, Any]) -> None:
    """Write the command's options into the checkpoint folder (checked, and made if need be)."""
    checkpoints.prepare(folder)
    kept = {key: (str(value.absolute()) if isinstance(value, Path) else value)
            for key, value in given.items() if key not in NOT_KEPT}
    kept["data"] = _absolute(kept["data"])
    with atomic_file(folder / OPTIONS) as f:
        json.dump(kept, f, indent=1)


def given_too(ctx: Any, names: list[str]) -> list[str]:
    """The options given on the command line besides --resume (by the name of where each value came
    from: Typer may bring its own copy of Click, and its own ParameterSource)."""
    sources = {name: ctx.get_parameter_source(name) for name in names if name not in ("resume", "ctx")}
    return [name for name, source in sources.items() if source is not None and source.name not in
            ("DEFAULT", "DEFAULT_MAP")]


def options(folder: Path, command: Any) -> dict[str, Any]:
    """The options of the run whose checkpoints are in `folder`, checked, as `command` takes them; the
    checkpoint itself is read whole first, so a damaged one is refused before any data is read."""
    checkpoints.read(folder)
    path = folder / OPTIONS
    try:
        kept = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"--resume {folder}: no {OPTIONS} there: not a folder that learn --checkpoint wrote") \
            from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as bad:
        raise ValueError(f"--resume {folder}: {OPTIONS} is damaged ({bad})") from None
    hints = typing.get_type_hints(command)
    wanted = [name for name in hints if name not in NOT_KEPT and name != "return"]
    if not isinstance(kept, dict) or sorted(kept) != sorted(wanted):
        raise ValueError(f"--resume {folder}: {OPTIONS} does not hold the options of this version's learn")
    for name, value in kept.items():
        types = typing.get_args(hints[name]) or (hints[name],)
        if Path in types and isinstance(value, str):
            kept[name] = Path(value)
        elif not any(value is None if t is type(None) else _is(value, t) for t in types):
            raise ValueError(f"--resume {folder}: {OPTIONS} is damaged (its {name} is {value!r})")
    return kept


def _is(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)
