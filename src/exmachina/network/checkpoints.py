"""Checkpoints on disk: where a run is, written so that a run killed at any moment can resume.

A checkpoint folder holds `checkpoint.json` (the cursor, the learning rate as it now is, the order
generator's state, the scoreboard of the pass so far, the passes done and the run's settings) and
the files it names: the model as `.npz` (an ordinary model file, `modelfile`) and, with noise, every
neuron's noise generator. Each file is written beside its destination, flushed to disk and renamed
(`atomic_file`); the new model and noise files get new names, and `checkpoint.json` is renamed over
the old one last. So at every moment `checkpoint.json` names whole files: the previous checkpoint
stays intact until the next one is, and the files it no longer names are removed after.

`checkpoint.json` also holds a digest of every file it names, of the network's wiring and of the
examples: a damaged file, another network or other data is refused in one line before anything runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..data.files import atomic_file, check_writable
from . import modelfile
from .training import Training

FORMAT, VERSION = "exmachina-checkpoint", 1
STATE = "checkpoint.json"
# for tests: "model:N" holds the N-th write once its model is whole, "state:N" once checkpoint.json's
# temporary file is, until the process is killed
HOLD = "EXMACHINA_CHECKPOINT_HOLD"
OURS = re.compile(r"(model-\d+\.npz|noise-\d+\.npz|\..*\.tmp)")  # what a writer leaves in the folder
UNCHANGED = ("cluster",)  # settings a resumed run may change: the others must be the run's own


@dataclass
class Position:
    """Where a run is: pass `epoch` (from 1), of which `cursor` batches are learned and scored."""

    epoch: int
    cursor: int
    order: dict[str, Any]  # the order generator's state as the pass began (its order is drawn again)
    rate: float  # the learning rate as it now is
    board: dict[str, Any] | None  # the scoreboard of the pass so far (None at a pass's start)
    history: list[dict] = field(default_factory=list)  # the passes done, as `fit` returns them


@dataclass
class Saved:
    """A checkpoint read back and checked: the model, where the run was, and each neuron's noise."""

    blueprint: Any
    position: Position
    randoms: list | None
    settings: dict[str, Any]
    count: int  # checkpoints written so far
    files: list[str]  # the names of the files it holds


def wiring(blueprint: Any) -> str:
    """A digest of what makes a network this network: its neurons, synapses, loss and classes."""
    digest = hashlib.sha256()
    for part in (blueprint.kinds, blueprint.activations, [blueprint.loss], blueprint.classes or []):
        digest.update(json.dumps(list(map(str, part))).encode())
    for array in (blueprint.sources, blueprint.targets):
        digest.update(np.ascontiguousarray(array, dtype=np.int64).tobytes())
    return digest.hexdigest()


def examples(*arrays: np.ndarray) -> str:
    """A digest of the examples a run learns from (inputs as the sensors see them, desired outputs)."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array, dtype=float)
        digest.update(str(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _hold(stage: str, count: int) -> None:
    """The test hook: stay half-way through the `count`-th write (its temporary file written) until killed."""
    if os.environ.get(HOLD) == f"{stage}:{count}":
        print(f"{HOLD}: held at {stage}:{count}", file=sys.stderr, flush=True)
        while True:
            time.sleep(1)


class Checkpoints:
    """The writer of one run's checkpoints in `folder`."""

    def __init__(self, folder: str | os.PathLike, training: Training, blueprint: Any, data: str) -> None:
        self.folder = Path(folder)
        self.settings = asdict(training)
        self.wiring, self.data = wiring(blueprint), data
        self.count = 0

    def resumed(self, saved: Saved) -> None:
        """Go on writing where `saved` left off, once the litter of the write a kill stopped is gone."""
        self.count = saved.count
        tidy(self.folder, set(saved.files))

    def write(self, blueprint: Any, position: Position, randoms: list | None) -> None:
        """One checkpoint: the model and the noise under new names, then `checkpoint.json` over the old one."""
        if not (np.isfinite(blueprint.weights).all() and np.isfinite(blueprint.biases).all()):
            return  # a diverged network is worth nothing to resume: the last good checkpoint stays
        self.count += 1
        files = {"model": f"model-{self.count}.npz"}
        modelfile.save(blueprint, self.folder / files["model"])
        if randoms is not None:
            files["noise"] = f"noise-{self.count}.npz"
            _write_noise(self.folder / files["noise"], randoms)
        _hold("model", self.count)
        state = {
            "format": FORMAT, "version": VERSION, "exmachina": __version__, "count": self.count,
            "wiring": self.wiring, "data": self.data, "settings": self.settings,
            "files": {role: {"name": name, "sha256": _digest(self.folder / name)} for role, name in files.items()},
            "position": asdict(position),
        }
        text = json.dumps(state, default=_plain)
        with atomic_file(self.folder / STATE) as f:
            f.write(text)
            f.flush()
            _hold("state", self.count)
        tidy(self.folder, set(files.values()))


def prepare(folder: Path, make: bool = True) -> None:
    """Refuse before any work a folder that cannot hold checkpoints or holds another run's; make it
    if need be (and `make`): its parent must be there."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"checkpoint {folder}: not a folder")
    if (folder / STATE).exists():
        raise ValueError(f"checkpoint {folder}: holds a checkpoint already; resume it, or give an empty or new folder")
    if not folder.exists():
        check_writable(folder)  # its parent can take it
        if not make:
            return
        try:
            folder.mkdir()
        except OSError as bad:
            raise ValueError(f"checkpoint {folder}: cannot make the folder ({bad.strerror})") from None
    check_writable(folder / STATE)


def tidy(folder: Path, kept: set[str]) -> None:
    """Remove what former writes left: the files no checkpoint names now, a killed write's temporary file."""
    for path in folder.iterdir():
        if path.name not in kept and OURS.fullmatch(path.name):
            path.unlink(missing_ok=True)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not a plain value")


def _write_noise(path: Path, randoms: list) -> None:
    """Every neuron's generator (Python's Mersenne Twister: 625 words and a Gaussian kept for later)."""
    words = np.zeros((len(randoms), 625), dtype=np.uint32)
    kept = np.full(len(randoms), np.nan)
    for i, state in enumerate(randoms):
        words[i] = state[1]
        if state[2] is not None:
            kept[i] = state[2]
    with atomic_file(path, "wb") as f:
        np.savez(f, words=words, kept=kept)


def _read_noise(path: Path, neurons: int) -> list:
    try:
        with np.load(path, allow_pickle=False) as found:
            words, kept = found["words"], found["kept"]
    except (OSError, ValueError, KeyError) as bad:
        raise ValueError(f"{path}: not a checkpoint's noise file ({bad})") from None
    if words.shape != (neurons, 625) or kept.shape != (neurons,):
        raise ValueError(f"{path}: noise for {len(words)} neurons, the model has {neurons}")
    return [(3, tuple(w.tolist()), None if np.isnan(g) else float(g)) for w, g in zip(words, kept)]


def read(folder: str | os.PathLike) -> Saved:
    """The checkpoint in `folder`, checked whole: any problem is one ValueError naming the file."""
    folder = Path(folder)
    path = folder / STATE
    if not path.is_file():
        raise ValueError(f"checkpoint {folder}: no checkpoint there (no {STATE})")
    try:
        try:
            state = json.loads(path.read_text())
        except json.JSONDecodeError as bad:
            raise ValueError(f"damaged (not JSON: {bad})") from None
        if state.get("format") != FORMAT:
            raise ValueError("not an exmachina checkpoint")
        if state.get("version") != VERSION or state.get("exmachina") != __version__:
            raise ValueError(f"written by exmachina {state.get('exmachina')} (checkpoint version "
                             f"{state.get('version')}); this is exmachina {__version__}, which cannot resume it")
        files = {}
        for role, kept in state["files"].items():
            name = kept["name"]
            if not OURS.fullmatch(name) or name.startswith("."):
                raise ValueError(f"names a file it could not have written ({name!r})")
            files[role] = folder / name
            if not files[role].is_file():
                raise ValueError(f"its {role} file {name} is missing")
            if _digest(files[role]) != kept["sha256"]:
                raise ValueError(f"its {role} file {name} is damaged (its digest differs)")
        position = Position(**state["position"])
        Training(**state["settings"])  # settings its version would accept
        _check_position(position)
    except ValueError as bad:
        raise ValueError(f"checkpoint {path}: {bad}") from None
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError) as bad:
        raise ValueError(f"checkpoint {path}: damaged ({type(bad).__name__}: {bad})") from None
    from .blueprint import Blueprint

    blueprint = Blueprint.load(files["model"])
    if wiring(blueprint) != state["wiring"]:
        raise ValueError(f"checkpoint {path}: its model is not the network it was made for")
    randoms = _read_noise(files["noise"], blueprint.size) if "noise" in files else None
    if not isinstance(state["count"], int) or state["count"] < 1:
        raise ValueError(f"checkpoint {path}: its count is damaged")
    settings = {**state["settings"], "wiring": state["wiring"], "data": state["data"]}
    return Saved(blueprint, position, randoms, settings, state["count"], [p.name for p in files.values()])


def _check_position(at: Position) -> None:
    whole = (isinstance(at.epoch, int) and at.epoch >= 1 and isinstance(at.cursor, int) and at.cursor >= 0)
    if not whole or not isinstance(at.order, dict) or not isinstance(at.history, list):
        raise ValueError("its position is damaged")
    if not isinstance(at.rate, (int, float)) or not at.rate > 0:
        raise ValueError("its learning rate is damaged")
    if at.board is not None and not {"seen", "loss_sum", "correct", "recent", "seconds", "cpu_seconds",
                                     "messages"} <= set(at.board):
        raise ValueError("its scoreboard is damaged")


def same_run(saved: Saved, training: Training, blueprint: Any, data: str, folder: Path) -> None:
    """Refuse to resume `saved` with another network, other data or other settings than its own."""
    if wiring(blueprint) != saved.settings["wiring"]:
        raise ValueError(f"checkpoint {folder}: it was made for another network (other neurons or synapses)")
    if data != saved.settings["data"]:
        raise ValueError(f"checkpoint {folder}: it was made on other examples than these")
    for key, value in asdict(training).items():
        if key not in UNCHANGED and saved.settings.get(key) != value:
            raise ValueError(f"checkpoint {folder}: it was made with {key} {saved.settings.get(key)!r}, not {value!r}")
