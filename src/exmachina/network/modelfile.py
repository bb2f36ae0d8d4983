"""The model file: a network's fields as versioned JSON (readable, the default) or as NumPy `.npz`
(compact, for big networks), chosen by the file's extension when saving and when loading.

Both hold the same fields: format, version, loss, classes, training, scaling, features (the
inputs' names, as a CSV file's header gave them; null for other data), label (the column of
classes), `neurons.kind`, `neurons.activation`, `neurons.bias`, `synapses.source`,
`synapses.target`, `synapses.weight`. In an `.npz` each is one array (the small ones as JSON text),
read without pickle and one array at a time, never a Python object per synapse. A file is validated
whole, types, shapes and values, before anything uses it; every problem is a ValueError of one line
that names the file.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from ..data.files import atomic_file
from ..data.reading import DEFLATE_RATIO, available_memory, gib, no_constant, read_json
from . import memory

FORMAT = "exmachina-network"
VERSION = 1
FIELDS = {"neurons": ("kind", "activation", "bias"), "synapses": ("source", "target", "weight")}
SMALL = ("loss", "classes", "training", "scaling", "features", "label")  # as JSON text inside an .npz
OPTIONAL = ("features", "label")  # fields that models saved before them lack
NPZ_KEYS = ("format", "version", *SMALL, *(f"{group}.{name}" for group, names in FIELDS.items() for name in names))
# the training's notes that commands read as numbers (null, or a number: never a text or true)
NUMBERS = ("epochs", "learning_rate", "batch_size", "in_flight", "noise", "seed", "examples", "train_examples",
           "test_examples", "train_accuracy", "test_accuracy", "seconds", "examples_per_second", "messages")
NPZ_TYPES = {"bias": "f", "weight": "f", "source": "iu", "target": "iu", "kind": "U", "activation": "U"}


def compact(path: str | os.PathLike) -> bool:
    """Whether `path` names the binary format (its extension is .npz)."""
    return Path(path).suffix.lower() == ".npz"


def fields_of(blueprint: Any) -> dict[str, Any]:
    """The file's fields; the long ones stay NumPy arrays."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "loss": blueprint.loss,
        "classes": blueprint.classes,
        "training": blueprint.training,
        "scaling": None if blueprint.scaling is None else blueprint.scaling.to_dict(),
        "features": blueprint.features,
        "label": blueprint.label,
        "neurons": {"kind": blueprint.kinds, "activation": blueprint.activations, "bias": blueprint.biases},
        "synapses": {"source": blueprint.sources, "target": blueprint.targets, "weight": blueprint.weights},
    }


# -- saving --------------------------------------------------------------------------------------


def save(blueprint: Any, path: str | os.PathLike) -> None:
    """Write the network atomically, as .npz or JSON by the extension; never what could not be loaded
    again (a diverged network, an infinite scaling, a NaN among the notes)."""
    if not (np.isfinite(blueprint.weights).all() and np.isfinite(blueprint.biases).all()):
        raise ValueError("the weights have diverged (they are not all finite numbers): nothing was saved; "
                         "a lower learning rate may help")
    data = fields_of(blueprint)
    small = loadable(data)
    if compact(path):
        arrays = {key: np.array(small[key]) for key in SMALL}
        arrays.update(format=np.array(FORMAT), version=np.array(VERSION))
        for group, names in FIELDS.items():
            for name in names:
                arrays[f"{group}.{name}"] = np.asarray(data[group][name])  # written a chunk at a time
        if blueprint.size < 2**31:  # neuron numbers in 4 bytes, not 8
            for name in ("synapses.source", "synapses.target"):
                arrays[name] = arrays[name].astype(np.int32)
        with atomic_file(path, "wb") as f:
            np.savez(f, **arrays)
        return
    with atomic_file(path) as f:
        f.write("{\n")
        for key in ("format", "version"):
            f.write(f" {json.dumps(key)}: {json.dumps(data[key])},\n")
        for key in SMALL:
            f.write(f" {json.dumps(key)}: {small[key]},\n")
        for group, names in FIELDS.items():
            f.write(f" {json.dumps(group)}: {{\n")
            for n, name in enumerate(names):
                f.write(f"  {json.dumps(name)}: ")
                values = data[group][name]
                if isinstance(values, np.ndarray):
                    _write_numbers(f, values)
                else:
                    f.write(json.dumps(values))
                f.write(",\n" if n < len(names) - 1 else "\n")
            f.write(" },\n" if group == "neurons" else " }\n")
        f.write("}\n")


def loadable(data: dict[str, Any]) -> dict[str, str]:
    """The small fields as strict JSON text, checked as `load` will check them: a ValueError, before
    anything is written, for what could not be loaded again."""
    small = {}
    for key in SMALL:
        try:
            small[key] = json.dumps(data[key], allow_nan=False, default=_plain)
        except (TypeError, ValueError) as bad:
            raise ValueError(f"nothing was saved: the model's {key} cannot be written as JSON ({bad})") from None
    try:
        _classes(json.loads(small["classes"]))
        _training(json.loads(small["training"]))
        _scaling(json.loads(small["scaling"]))
        _feature_names(json.loads(small["features"]))
        _label(json.loads(small["label"]))
    except ValueError as bad:
        raise ValueError(f"nothing was saved: {bad}") from None
    return small


def _plain(value: Any) -> Any:
    """A NumPy number as the Python number it is (a class label taken from an array)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} {value!r} is not a plain value")


def _write_numbers(f: Any, values: np.ndarray, chunk: int = 1 << 16) -> None:
    """A JSON array of numbers, exactly (Python's repr of a float is the shortest that reads back)."""
    f.write("[")
    for start in range(0, len(values), chunk):
        if start:
            f.write(", ")
        f.write(", ".join(map(repr, values[start:start + chunk].tolist())))
    f.write("]")


# -- loading -------------------------------------------------------------------------------------


def load(path: str | os.PathLike) -> dict[str, Any]:
    """The fields of a saved network, checked for type and shape (the Blueprint checks the rest)."""
    if compact(path):
        try:
            data = _read_npz(path)
        except ValueError as bad:
            raise ValueError(f"{path}: {bad}") from None
    else:
        data = read_json(path)  # with bounds; its refusals name the file
    try:
        return checked(data)
    except ValueError as bad:
        raise ValueError(f"{path}: {bad}") from None


def _read_npz(path: str | os.PathLike) -> dict[str, Any]:
    """The arrays of an .npz: every header read and checked (types, lengths that agree, the file's
    size, free memory) before any array is; members it does not know are never read. A zip damaged
    at its own level (a bad checksum, deflate data that does not inflate, sizes that lie, an encrypted
    member or a compression NumPy never writes) is a ValueError like any other."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as bad:
        raise ValueError(f"not an .npz file ({getattr(bad, 'strerror', None) or bad})") from None
    with archive:
        members = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}
        keys = [key for key in NPZ_KEYS if key in members or key not in OPTIONAL]
        for key in keys:
            if key not in members:
                group, _, name = key.rpartition(".")
                raise ValueError(f"missing field '{name}'" + (f" in \"{group}\"" if group else ""))
            info = members[key]
            if info.flag_bits & 0x1:
                raise ValueError(f"{info.filename} is encrypted: a model is never stored so")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ValueError(f"{info.filename} is compressed by method {info.compress_type}, not stored or "
                                 "deflated as NumPy writes it")
        try:
            data = _arrays(archive, members, keys)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as bad:
            raise ValueError(f"damaged .npz file ({getattr(bad, 'strerror', None) or bad})") from None
    fields = {key: _small(data[key], key) if key in data else None for key in ("format", "version", *SMALL)}
    for group, names in FIELDS.items():
        fields[group] = {name: data[f"{group}.{name}"] for name in names}
    return fields


def _arrays(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], keys: list[str]) -> dict[str, np.ndarray]:
    """Every header first, checked against the others, the file and the memory; then the values."""
    headers = {}
    for key in keys:
        info = members[key]
        if info.file_size > max(info.compress_size, 1) * DEFLATE_RATIO:
            raise ValueError(f"{info.filename} declares {info.file_size:,} bytes: more than the file can hold")
        with archive.open(info) as member:
            headers[key] = _header(member, key, info.file_size)
    for group, names in FIELDS.items():
        counts = {name: headers[f"{group}.{name}"][0] for name in names}
        if len(set(counts.values())) > 1:
            raise ValueError(f"the {group} fields disagree in length: " +
                             ", ".join(f"{group}.{name} has {n:,}" for name, n in counts.items()))
    neurons, synapses = headers["neurons.kind"][0], headers["synapses.weight"][0]
    if neurons > 2 * synapses:  # every neuron sends or receives along a synapse
        raise ValueError(f"{neurons:,} neurons but {synapses:,} synapses: every neuron needs a synapse")
    need = sum(count * dtype.itemsize for count, dtype in headers.values()) + memory.loading(neurons, synapses)
    room = available_memory()
    if need > room:
        raise ValueError(f"its {neurons:,} neurons and {synapses:,} synapses would need about {gib(need)} of memory "
                         f"to load; {gib(room)} is available")
    data = {}
    for key in keys:
        with archive.open(members[key]) as member:
            _header(member, key, members[key].file_size)
            data[key] = _values(member, key, *headers[key])
            if member.read(1):  # else the member's end, where its checksum is checked
                raise ValueError(f"{key}: more bytes after its {headers[key][0]:,} values than its header declares")
    return data


def _header(member: Any, key: str, stored: int) -> tuple[int, np.dtype]:
    """How many values one .npy member declares and of what type, checked against what is stored."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(member)
        header = {(1, 0): fmt.read_array_header_1_0, (2, 0): fmt.read_array_header_2_0}.get(version)
        if header is None:
            raise ValueError(f"version {version} of the .npy format is not read here")
        shape, fortran, dtype = header(member)
    except (ValueError, SyntaxError, TypeError) as bad:
        raise ValueError(f"{key}: not a NumPy array ({bad})") from None
    if dtype.hasobject:
        raise ValueError(f"{key}: holds Python objects, which are never unpickled")
    single = key in ("format", "version", *SMALL)
    expected = NPZ_TYPES.get(key.rpartition(".")[2], "U" if key == "format" else "iuU")
    if dtype.kind not in expected or len(shape) != (0 if single else 1):
        raise ValueError(f"{key}: expected {'a single' if single else 'a vector of'} {_kind_names(expected)}, "
                         f"found {dtype} of shape {shape}")
    count = math.prod(shape)
    if count * dtype.itemsize > stored:
        raise ValueError(f"{key}: its header declares {count * dtype.itemsize:,} bytes but {stored:,} are stored")
    return count, dtype


def _values(member: Any, key: str, count: int, dtype: np.dtype) -> np.ndarray:
    """The values that follow a member's header, read straight into their array: no second copy."""
    values = np.empty(count, dtype)
    into, filled = memoryview(values.view(np.uint8)), 0
    while filled < count * dtype.itemsize:
        got = member.readinto(into[filled:])
        if not got:
            raise ValueError(f"{key}: the array ends early (truncated)")
        filled += got
    return values


def _kind_names(kinds: str) -> str:
    return " or ".join({"f": "floats", "i": "integers", "u": "integers", "U": "text"}[k] for k in dict.fromkeys(kinds))


def _small(value: np.ndarray, key: str) -> Any:
    """A small field: the format's name, its version, or JSON text."""
    value = value.reshape(())
    if key in ("format", "version"):
        return value.item()
    if value.dtype.kind != "U":
        raise ValueError(f"{key!r} must be JSON text")
    try:
        return json.loads(str(value), parse_constant=no_constant)
    except (json.JSONDecodeError, RecursionError):
        raise ValueError(f"{key!r} is not valid JSON") from None


# -- checking ------------------------------------------------------------------------------------


def checked(data: Any) -> dict[str, Any]:
    """The fields with every type checked: what `info` accepts, every command can use."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not an exmachina network (expected \"format\": \"{FORMAT}\")")
    version = data.get("version")
    if type(version) is not int or version != VERSION:
        raise ValueError(f"format version {version!r} is not supported (expected {VERSION})")
    for key in ("loss", *FIELDS):
        if key not in data:
            raise ValueError(f"missing field '{key}'")
    if not isinstance(data["loss"], str):
        raise ValueError("malformed network: \"loss\" must be a name, such as \"squared\"")
    fields: dict[str, Any] = {"loss": data["loss"], "classes": _classes(data.get("classes")),
                              "training": _training(data.get("training")), "scaling": _scaling(data.get("scaling")),
                              "features": _feature_names(data.get("features")), "label": _label(data.get("label"))}
    for group, names in FIELDS.items():
        if not isinstance(data[group], dict):
            raise ValueError(f"malformed network: \"{group}\" must be an object")
        for name in names:
            if name not in data[group]:
                raise ValueError(f"missing field '{name}' in \"{group}\"")
            values = data[group][name]
            fields[name] = _names(values, f"{group}.{name}") if name in ("kind", "activation") else \
                _numbers(values, f"{group}.{name}", whole=name in ("source", "target"))
    return fields


def _names(values: Any, field: str) -> list[str]:
    """Words such as "sensor" or "sigmoid", one per neuron (shared strings, not one object each)."""
    if isinstance(values, np.ndarray):
        if values.ndim != 1 or values.dtype.kind != "U":
            raise ValueError(f"malformed network: {field} must be a list of names")
        names, index = np.unique(values, return_inverse=True)
        words = [str(n) for n in names]
        return [words[i] for i in index.tolist()]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"malformed network: {field} must be a list of names")
    return values


def _numbers(values: Any, field: str, whole: bool = False) -> np.ndarray:
    """A vector of numbers (neuron numbers must be whole: 1.5 is not a neuron)."""
    if not isinstance(values, list | np.ndarray):
        raise ValueError(f"malformed network: {field} must be a list of numbers")
    try:
        numbers = np.asarray(values)
    except ValueError:  # lists of different lengths
        numbers = np.empty((0, 0))
    if numbers.ndim != 1 or (len(numbers) and numbers.dtype.kind not in "iuf"):
        raise ValueError(f"malformed network: {field} must be a list of numbers")
    if isinstance(values, list) and any(type(v) is bool for v in values):
        raise ValueError(f"malformed network: {field} must be a list of numbers, not true or false")
    if not whole:
        return numbers.astype(float, copy=False)
    if numbers.dtype.kind == "f":
        if not np.array_equal(numbers, np.floor(numbers)):
            raise ValueError(f"synapse {field.partition('.')[2]}s must be whole numbers")
        if len(numbers) and (numbers.min() < -2**62 or numbers.max() > 2**62):
            raise ValueError(f"{field}: a neuron number is out of range")
    elif numbers.dtype.kind == "u" and len(numbers) and numbers.max() > 2**62:
        raise ValueError(f"{field}: a neuron number is out of range")
    return numbers.astype(np.int64, copy=False)


def _classes(classes: Any) -> list | None:
    """The class labels: null, or distinct whole numbers or words."""
    if classes is None:
        return None
    if not isinstance(classes, list) or not all(isinstance(c, str) or type(c) is int for c in classes):
        raise ValueError("malformed network: \"classes\" must be null or a list of whole numbers or words")
    if len(set(classes)) != len(classes):
        raise ValueError("malformed network: \"classes\" names a class twice")
    return classes


def _training(training: Any) -> dict[str, Any]:
    """How the network was trained: an object of plain values, whose learning rate is a positive number."""
    training = training or {}
    if not isinstance(training, dict):
        raise ValueError("\"training\" must be an object")
    for key, value in training.items():
        plain = value if isinstance(value, list) else [value]
        if not all(v is None or isinstance(v, str | int | float) for v in plain):
            raise ValueError(f"malformed network: training {key!r} must be a plain value or a list of them")
    for key in NUMBERS:
        value = training.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"malformed network: the training's {key.replace('_', ' ')} must be a number, "
                             f"got {value!r}")
    epochs = training.get("epochs")
    if epochs is not None and not (epochs >= 0 and float(epochs).is_integer()):
        raise ValueError(f"malformed network: training 'epochs' must be a whole number of passes, got {epochs!r}")
    rate = training.get("learning_rate")
    if rate is not None and not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"the training's learning rate must be a positive number, got {rate!r}")
    return training


def _scaling(scaling: Any) -> dict[str, Any] | None:
    """How the inputs are scaled: null, or a kind and a finite shift and positive factor per feature."""
    if scaling is None:
        return None
    if not isinstance(scaling, dict) or scaling.get("kind") not in ("standard", "minmax"):
        raise ValueError("\"scaling\" must be null or an object with kind standard or minmax")
    for key in ("shift", "factor"):
        if key not in scaling:
            raise ValueError(f"\"scaling\" is missing '{key}'")
    shift, factor = (_numbers(scaling[key], f"scaling.{key}") for key in ("shift", "factor"))
    if shift.shape != factor.shape:
        raise ValueError("\"scaling\" needs a shift and a factor per feature")
    if not (np.isfinite(shift).all() and np.isfinite(factor).all() and (factor > 0).all()):
        raise ValueError("\"scaling\": shifts must be finite and factors finite and positive")
    return {"kind": scaling["kind"], "shift": shift, "factor": factor}


def _feature_names(names: Any) -> list[str] | None:
    """The inputs' names, one per sensor: null, or distinct words."""
    if names is None:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError("malformed network: \"features\" must be null or a list of names")
    if len(set(names)) != len(names):
        raise ValueError("malformed network: \"features\" names an input twice")
    return names


def _label(label: Any) -> str | None:
    """The name of the column of classes: null, or a word."""
    if label is not None and not isinstance(label, str):
        raise ValueError("malformed network: \"label\" must be null or the name of a column")
    return label

