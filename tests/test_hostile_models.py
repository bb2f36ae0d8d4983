"""Hostile model files, run through the real commands: whatever `info` accepts, `predict` and
`trace` can use; whatever they cannot use, `info` refuses in one line. JSON and .npz alike."""

from __future__ import annotations

import io
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from exmachina import Network
from exmachina.network.blueprint import Blueprint

from test_cli import EXMACHINA, assert_refused, environment, run


def fields(tmp_path: Path) -> dict:
    """The JSON fields of a small trained-looking model for two inputs and two classes."""
    net = Network.layered([2, 3, 2], loss="cross_entropy", seed=2)
    net.blueprint.classes = ["no", "yes"]
    net.blueprint.training = {"learning_rate": 0.5, "epochs": 3}
    net.save(tmp_path / "base.json")
    return json.loads((tmp_path / "base.json").read_text())


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


REFUSED = {
    "5000 nested brackets": (lambda d: nested(5000), "nested thousands of levels deep"),
    "NaN weight": (lambda d: json.dumps(d).replace('"weight": [', '"weight": [NaN, ', 1), "NaN is not a number"),
    "Infinity bias": (lambda d: json.dumps(d).replace('"bias": [0.0', '"bias": [Infinity', 1), "Infinity"),
    "classes are lists": (lambda d: d | {"classes": [[1], [2]]}, "\"classes\" must be null or a list"),
    "classes repeat": (lambda d: d | {"classes": ["a", "a"]}, "names a class twice"),
    "classes a string": (lambda d: d | {"classes": "ab"}, "\"classes\" must be null or a list"),
    "classes true/false": (lambda d: d | {"classes": [True, False]}, "\"classes\" must be null or a list"),
    "kinds a string": (lambda d: {**d, "neurons": {**d["neurons"], "kind": "sensor"}}, "list of names"),
    "kind a number": (lambda d: {**d, "neurons": {**d["neurons"], "kind": [5] * 7}}, "list of names"),
    "bias nested": (lambda d: {**d, "neurons": {**d["neurons"], "bias": [[0.0]] * 7}}, "list of numbers"),
    "weights true": (lambda d: {**d, "synapses": {**d["synapses"], "weight": [0.5] * 11 + [True]}}, "not true or"),
    "weights ragged": (lambda d: {**d, "synapses": {**d["synapses"], "weight": [[1], [1, 2]]}}, "list of numbers"),
    "source huge": (lambda d: {**d, "synapses": {**d["synapses"], "source": [1e30] * 12}}, "out of range"),
    "source 2**70": (lambda d: {**d, "synapses": {**d["synapses"], "source": [2**70] * 12}}, "list of numbers"),
    "version true": (lambda d: d | {"version": True}, "format version True is not supported"),
    "version text": (lambda d: d | {"version": "1"}, "format version '1' is not supported"),
    "loss a list": (lambda d: d | {"loss": ["squared"]}, "\"loss\" must be a name"),
    "negative rate": (lambda d: d | {"training": {"learning_rate": -1}}, "must be a positive number"),
    "deep training": (lambda d: d | {"training": {"note": {"deep": 1}}}, "must be a plain value"),
    "neurons a list": (lambda d: d | {"neurons": []}, "\"neurons\" must be an object"),
    "a list": (lambda d: [d], "not an exmachina network"),
    "empty": (lambda d: "", "not valid JSON"),
    "binary": (lambda d: "\0" * 10, "not text (a NUL byte)"),
}


@pytest.mark.subprocess
@pytest.mark.parametrize("name", REFUSED)
def test_a_model_that_info_refuses_is_one_line(tmp_path, name):
    change, fragment = REFUSED[name]
    changed = change(fields(tmp_path))
    model = tmp_path / "m.json"
    model.write_text(changed if isinstance(changed, str) else json.dumps(changed))
    assert_refused(run("info", model, cwd=tmp_path), "m.json", fragment)


@pytest.mark.subprocess
@pytest.mark.parametrize("command", ["predict", "trace", "watch"])
def test_predict_trace_and_watch_refuse_what_info_refuses_in_the_same_line(tmp_path, command):
    model = tmp_path / "m.json"
    model.write_text(json.dumps(fields(tmp_path) | {"classes": [[1], [2]]}))  # once a TypeError in predict
    result = run(command, model, *(["--values", "0,1"] if command != "watch" else ["--data", "xor"]), cwd=tmp_path)
    assert_refused(result, "m.json", "\"classes\" must be null or a list")


ACCEPTED = {
    "no classes": lambda d: d | {"classes": None},
    "whole-number classes": lambda d: d | {"classes": [0, 7]},
    "whole float neuron numbers": lambda d: {**d, "synapses": {**d["synapses"],
                                                               "source": [float(s) for s in d["synapses"]["source"]]}},
    "integer weights": lambda d: {**d, "synapses": {**d["synapses"], "weight": [1] * 12}},
    "plain notes in training, a field from elsewhere": lambda d: d | {
        "training": {"note": "kept", "layers": [2, 3, 2], "seed": None}, "comment": "ignored"},
    "no training": lambda d: {k: v for k, v in d.items() if k != "training"},
}


@pytest.mark.subprocess
@pytest.mark.parametrize("name", ACCEPTED)
def test_a_model_that_info_accepts_predict_and_trace_can_use(tmp_path, name):
    model = tmp_path / "m.json"
    model.write_text(json.dumps(ACCEPTED[name](fields(tmp_path))))
    for command in (["info", model], ["predict", model, "--values", "0.5,1"],
                    ["trace", model, "--values", "0.5,1", "--target", "0,1", "--learn"]):
        result = run(*command, cwd=tmp_path)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


@pytest.mark.subprocess
def test_a_model_too_big_for_memory_is_refused_before_it_is_read(tmp_path):
    model = tmp_path / "m.json"
    with open(model, "wb") as f:
        f.write(b'{"format": "exmachina-network"')
        f.truncate(1 << 40)  # a sparse terabyte: nothing is written to disk
    assert_refused(run("info", model), "m.json", "1,099,511,627,776 bytes", "of memory")


@pytest.mark.subprocess
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_not_a_model(device):
    assert_refused(run("info", device, timeout=30), device, "not a data file")


# -- the .npz format -------------------------------------------------------------------------------


def test_npz_and_json_hold_the_same_network_bit_for_bit(tmp_path):
    net = Network.layered([5, 4, 3], activation="tanh", seed=4)
    net.blueprint.classes = ["a", "b", "c"]
    net.blueprint.training = {"learning_rate": 0.25, "note": "é"}
    net.save(tmp_path / "m.npz")
    net.save(tmp_path / "m.json")
    a, b = Blueprint.load(tmp_path / "m.npz"), Blueprint.load(tmp_path / "m.json")
    for name in ("kinds", "activations", "classes", "training", "loss"):
        assert getattr(a, name) == getattr(b, name) == getattr(net.blueprint, name)
    for name in ("biases", "sources", "targets", "weights"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes() == getattr(net.blueprint, name).tobytes()
    with np.load(tmp_path / "m.npz", allow_pickle=False) as arrays:
        assert str(arrays["format"]) == "exmachina-network" and int(arrays["version"]) == 1


@pytest.mark.subprocess
def test_every_command_reads_and_writes_npz_by_its_extension(tmp_path):
    assert run("learn", "--data", "xor", "--epochs", "30", "--save", "m.npz", cwd=tmp_path).returncode == 0
    assert (tmp_path / "m.npz").read_bytes()[:2] == b"PK"  # a zip, as NumPy writes .npz
    assert "2-3-1" in run("info", "m.npz", cwd=tmp_path).stdout
    assert run("predict", "m.npz", "--values", "0,1", cwd=tmp_path).returncode == 0
    assert run("trace", "m.npz", "--values", "0,1", "--target", "1", "--learn", "--save", "t.npz",
               cwd=tmp_path).returncode == 0
    assert Network.load(tmp_path / "t.npz").sensors == 2


def npz(path: Path, arrays: dict[str, np.ndarray]) -> Path:
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


def base_arrays(tmp_path: Path) -> dict[str, np.ndarray]:
    Network.layered([2, 3, 1], loss="squared").save(tmp_path / "base.npz")
    with np.load(tmp_path / "base.npz", allow_pickle=False) as arrays:
        return dict(arrays)


def npy_header_lie(shape: tuple) -> bytes:
    """A .npy member whose header declares `shape` but which holds eight bytes."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return header.getvalue() + bytes(8)


NPZ_REFUSED = {
    "pickled objects": (lambda a: a | {"synapses.weight": np.array([{}, []], dtype=object)}, "never unpickled"),
    "weights as text": (lambda a: a | {"synapses.weight": np.array(["1.0"] * 6)}, "vector of floats"),
    "weights as a matrix": (lambda a: a | {"synapses.weight": np.zeros((3, 3))}, "vector of floats"),
    "no weights": (lambda a: {k: v for k, v in a.items() if k != "synapses.weight"}, "missing field 'weight'"),
    "version 2": (lambda a: a | {"version": np.array(2)}, "format version 2 is not supported"),
    "classes not JSON": (lambda a: a | {"classes": np.array("[1, 2")}, "'classes' is not valid JSON"),
    "NaN bias": (lambda a: a | {"neurons.bias": np.full(6, np.nan)}, "finite"),
}


@pytest.mark.subprocess
@pytest.mark.parametrize("name", NPZ_REFUSED)
def test_a_hostile_npz_is_refused_in_one_line(tmp_path, name):
    change, fragment = NPZ_REFUSED[name]
    model = npz(tmp_path / "m.npz", change(base_arrays(tmp_path)))
    assert_refused(run("info", model), "m.npz", fragment)


@pytest.mark.subprocess
def test_an_npz_header_that_declares_more_than_it_holds_is_refused_before_reading(tmp_path):
    arrays = base_arrays(tmp_path)
    del arrays["synapses.weight"]
    model = npz(tmp_path / "m.npz", arrays)
    with zipfile.ZipFile(model, "a") as archive:
        archive.writestr("synapses.weight.npy", npy_header_lie((10**12,)))
    assert_refused(run("info", model), "8,000,000,000,000 bytes")


@pytest.mark.subprocess
def test_an_npz_bomb_is_refused_before_it_is_inflated(tmp_path):
    """256 MiB of weights in a quarter of a megabyte: the headers disagree, so nothing is inflated."""
    arrays = base_arrays(tmp_path)
    del arrays["synapses.weight"]
    model = npz(tmp_path / "m.npz", arrays)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (1 << 25,)})
    with zipfile.ZipFile(model, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("synapses.weight.npy", "w", force_zip64=True) as member:
            member.write(header.getvalue())
            for _ in range(16):
                member.write(bytes(1 << 24))
    assert os.path.getsize(model) < 1 << 20
    status, peak, err = measured("info", model)
    assert status == 2 and "synapses.weight has 33,554,432" in err and peak < 300 << 20


@pytest.mark.subprocess
def test_not_an_npz_and_a_truncated_npz(tmp_path):
    (tmp_path / "text.npz").write_text("{}")
    assert_refused(run("info", tmp_path / "text.npz"), "not an .npz file")
    whole = npz(tmp_path / "m.npz", base_arrays(tmp_path)).read_bytes()
    (tmp_path / "cut.npz").write_bytes(whole[:len(whole) // 2])
    assert_refused(run("info", tmp_path / "cut.npz"), "cut.npz")


PEAK = ("import resource, subprocess, sys; status = subprocess.run(sys.argv[2:]).returncode; "
        "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
        "sys.exit(status)")


def measured(*args) -> tuple[int, int, str]:
    """Exit status, peak memory (bytes) and stderr of one real `exmachina` process, started from a
    small Python of its own (a child forked from pytest would count pytest's memory as its own)."""
    with tempfile.TemporaryDirectory() as folder:
        peak = Path(folder) / "peak"
        result = subprocess.run([sys.executable, "-c", PEAK, peak, *EXMACHINA, *map(str, args)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment())
        return result.returncode, int(peak.read_text()) * 1024, result.stderr


# -- an .npz damaged at the zip level --------------------------------------------------------------


def stored_zip(path: Path, arrays: dict[str, np.ndarray], method: int = zipfile.ZIP_STORED) -> Path:
    """The arrays as an .npz whose zip headers are plain (no zip64 fields), so one can be changed."""
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for key, value in arrays.items():
            member = io.BytesIO()
            np.save(member, value, allow_pickle=False)
            archive.writestr(f"{key}.npy", member.getvalue())
    return path


def patched(path: Path, member: str, **fields: int) -> Path:
    """Set fields of a member's local and central zip headers (flags, method, crc, csize, usize)."""
    local = {"flags": (6, "<H"), "method": (8, "<H"), "crc": (14, "<I"), "csize": (18, "<I"), "usize": (22, "<I")}
    central = {"flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "csize": (20, "<I"),
               "usize": (24, "<I")}
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(member).header_offset
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46:entry + 46 + struct.unpack_from("<H", data, entry + 28)[0]] != member.encode():
        entry = data.find(b"PK\x01\x02", entry + 4)
    for field, value in fields.items():
        struct.pack_into(local[field][1], data, offset + local[field][0], value)
        struct.pack_into(central[field][1], data, entry + central[field][0], value)
    path.write_bytes(bytes(data))
    return path


def deflate_spoiled(path: Path, arrays: dict[str, np.ndarray]) -> Path:
    stored_zip(path, arrays, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("synapses.weight.npy")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 5, start + info.compress_size - 2):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


ZIP_DAMAGE = {
    "a bad checksum": (lambda p, a: patched(stored_zip(p, a), "synapses.weight.npy", crc=12345),
                       "damaged .npz file (Bad CRC-32 for file 'synapses.weight.npy')"),
    "an encrypted member": (lambda p, a: patched(stored_zip(p, a), "synapses.weight.npy", flags=1),
                            "synapses.weight.npy is encrypted"),
    "deflate64": (lambda p, a: patched(stored_zip(p, a), "synapses.weight.npy", method=9),
                  "synapses.weight.npy is compressed by method 9"),
    "deflate data that does not inflate": (deflate_spoiled, "damaged .npz file (Error -3 while decompressing"),
    "sizes that lie": (lambda p, a: patched(stored_zip(p, a), "synapses.weight.npy", csize=10**6, usize=10**6),
                       "synapses.weight: more bytes after its 9 values than its header declares"),
}


@pytest.mark.subprocess
@pytest.mark.parametrize("damage", ZIP_DAMAGE)
def test_an_npz_damaged_at_the_zip_level_is_one_line(tmp_path, damage):
    spoil, fragment = ZIP_DAMAGE[damage]
    arrays = base_arrays(tmp_path)
    assert Blueprint.load(stored_zip(tmp_path / "plain.npz", arrays)).size == 6  # the plain zip itself is whole
    model = spoil(tmp_path / "m.npz", arrays)
    with pytest.raises(ValueError, match=re.escape(f"m.npz: {fragment}")):
        Blueprint.load(model)
    if damage == "a bad checksum":  # once a traceback: the command says it in one line
        assert_refused(run("info", model), "m.npz: damaged .npz file (Bad CRC-32")


@pytest.mark.subprocess
def test_an_npz_of_millions_of_neurons_and_one_synapse_is_refused_before_its_arrays_are_read(tmp_path):
    """Neurons compress to nothing: a small file once inflated hundreds of megabytes before its
    network was found wrong. Every neuron needs a synapse: that is known from the headers alone."""
    neurons = 2_000_000
    arrays = base_arrays(tmp_path)
    arrays.update({"neurons.kind": np.full(neurons, "hidden"), "neurons.activation": np.full(neurons, "sigmoid"),
                   "neurons.bias": np.zeros(neurons)})
    for name in ("synapses.source", "synapses.target", "synapses.weight"):
        arrays[name] = arrays[name][:1]
    model = tmp_path / "m.npz"
    with open(model, "wb") as f:
        np.savez_compressed(f, **arrays)
    assert model.stat().st_size < 2 << 20
    status, peak, err = measured("info", model)
    assert status == 2 and "2,000,000 neurons but 1 synapses: every neuron needs a synapse" in err, err
    assert peak < 300 << 20
