"""Unbounded data, run as real subprocesses on real files: devices, FIFOs, decompression bombs and
headers that declare more than the file holds or memory allows are refused after reading only what
is needed, in one line, within a small peak of memory."""

from __future__ import annotations

import os
import re
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest

from exmachina.data import formats
from test_hostile_models import measured

from test_cli import assert_refused, idx, run

SMALL_PEAK = 300 << 20  # an exmachina process that refuses early stays well under this


def gzip_members(data: bytes, copies: int) -> bytes:
    """`copies` gzip members of `data` one after another (as `cat a.gz b.gz` makes): cheap to build."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return (packer.compress(data) + packer.flush()) * copies


def idx_header(*shape: int) -> bytes:
    return bytes([0, 0, 0x08, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape)


def sparse(path: Path, head: bytes, size: int) -> Path:
    """A file of `size` bytes that starts with `head` and takes no disk space."""
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(size)
    return path


def mnist_folder(folder: Path, images: bytes, labels: bytes, gz: bool = True) -> Path:
    folder.mkdir()
    suffix = ".gz" if gz else ""
    (folder / f"train-images-idx3-ubyte{suffix}").write_bytes(images)
    (folder / f"train-labels-idx1-ubyte{suffix}").write_bytes(labels)
    return folder


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_without_reading_it(device):
    status, peak, err = measured("learn", "--data", f"csv:{device}")
    assert status == 2 and "is a device or a socket, not a data file" in err and peak < SMALL_PEAK


@pytest.mark.subprocess
def test_a_directory_is_not_a_csv_file(tmp_path):
    assert_refused(run("learn", "--data", f"csv:{tmp_path}"), "is a directory")


def test_a_fifo_of_zeros_is_refused_after_its_first_megabyte(tmp_path):
    fifo = tmp_path / "zeros.csv"
    os.mkfifo(fifo)

    def pour() -> None:  # like `cat /dev/zero > zeros.csv`, until the reader goes away
        try:
            with open(fifo, "wb") as f:
                while True:
                    f.write(bytes(1 << 20))
        except BrokenPipeError:
            pass

    pourer = threading.Thread(target=pour, daemon=True)
    pourer.start()
    status, peak, err = measured("learn", "--data", f"csv:{fifo}")
    pourer.join(timeout=30)
    assert status == 2 and "line 1: not text (a NUL byte)" in err and peak < SMALL_PEAK


def test_a_gzip_bomb_of_zeros_is_refused_after_a_few_bytes(tmp_path):
    folder = mnist_folder(tmp_path / "bomb", gzip_members(bytes(1 << 24), 77), gzip_members(bytes(16), 1))
    assert (folder / "train-images-idx3-ubyte.gz").stat().st_size < 2 << 20  # 1.2 GiB inflated
    status, peak, err = measured("learn", "--data", f"mnist:{folder}")
    assert status == 2 and "bad magic number 00000000" in err and peak < SMALL_PEAK


def test_an_idx_bomb_with_a_true_header_is_inflated_no_further_than_the_header_declares(tmp_path):
    images = zlib.compressobj(1, zlib.DEFLATED, 31)
    zeros = bytes(1 << 26)
    body = bytearray(images.compress(idx_header(3, 2, 2)) + b"".join(images.compress(zeros) for _ in range(5))
                     + images.flush())
    body[-4:] = (28).to_bytes(4, "little")  # its trailer lies too: "28 bytes inflated"
    folder = mnist_folder(tmp_path / "bomb", bytes(body), gzip_members(idx(np.array([0, 1, 2])), 1))
    status, peak, err = measured("learn", "--data", f"mnist:{folder}")
    assert status == 2 and "more bytes after the 3x2x2 values" in err and peak < SMALL_PEAK


@pytest.mark.subprocess
def test_an_idx_header_that_declares_more_than_a_gzip_can_hold_is_refused_at_once(tmp_path):
    body = gzip_members(idx_header(60000, 28000, 28000), 1)
    folder = mnist_folder(tmp_path / "liar", body, gzip_members(idx_header(60000) + bytes(60000), 1))
    assert_refused(run("learn", "--data", f"mnist:{folder}"), "declares 47,040,000,000,000 bytes",
                   "inflates to at most")


@pytest.mark.subprocess
def test_an_idx_header_that_declares_more_than_the_file_holds_is_refused_before_reading(tmp_path):
    folder = mnist_folder(tmp_path / "liar", idx_header(1000, 28, 28) + bytes(100),
                          idx_header(1000) + bytes(1000), gz=False)
    assert_refused(run("learn", "--data", f"mnist:{folder}"), "declares 784,000 bytes but only 100 follow")


def test_an_idx_file_too_big_for_memory_is_refused_before_reading(tmp_path):
    folder = tmp_path / "huge"
    folder.mkdir()
    sparse(folder / "train-images-idx3-ubyte", idx_header(10**6, 300, 300), 16 + 9 * 10**10)
    (folder / "train-labels-idx1-ubyte").write_bytes(idx_header(10**6) + bytes(10**6))
    status, peak, err = measured("learn", "--data", f"mnist:{folder}")
    assert status == 2 and "90,000,000,016 bytes" in err and "of memory" in err and peak < SMALL_PEAK


def test_a_csv_file_too_big_for_memory_is_refused_before_reading(tmp_path):
    sparse(tmp_path / "huge.csv", b"a,b,label\n", 1 << 40)
    status, peak, err = measured("learn", "--data", f"csv:{tmp_path / 'huge.csv'}")
    assert status == 2 and "1,099,511,627,776 bytes" in err and peak < SMALL_PEAK


@pytest.mark.subprocess
def test_a_gzip_whose_trailer_admits_a_huge_size_is_refused_before_inflating(tmp_path):
    liar = bytearray(gzip_members(b"a,b,label\n0,1,1\n", 1))
    liar[-4:] = (2**32 - 1).to_bytes(4, "little")  # "4 GiB inflated": a text file that size needs far more
    (tmp_path / "d.csv.gz").write_bytes(bytes(liar))
    assert_refused(run("learn", "--data", f"csv:{tmp_path / 'd.csv.gz'}"), "4,294,967,295 bytes", "of memory")


@pytest.mark.subprocess
def test_a_gzipped_csv_in_several_members_is_read_whole(tmp_path):
    rows = b"".join(f"{i % 2},{(i // 2) % 2},{(i % 2) ^ ((i // 2) % 2)}\n".encode() for i in range(40))
    (tmp_path / "d.csv.gz").write_bytes(gzip_members(b"a,b,label\n", 1) + gzip_members(rows, 1))
    result = run("learn", "--data", f"csv:{tmp_path / 'd.csv.gz'}", "--epochs", "1")
    assert result.returncode == 0 and "32 examples, 8 held back" in result.stdout, result.stderr


@pytest.mark.subprocess
@pytest.mark.parametrize("shape, fragment", [
    ((0, 28, 28), "its header declares 0x28x28 values: no records"),
    ((5, 0, 28), "its header declares 5x0x28 values: records of no values"),
])
def test_an_idx_file_of_no_images_or_no_pixels_is_one_line_naming_it(tmp_path, shape, fragment):
    folder = mnist_folder(tmp_path / "empty", idx_header(*shape), idx_header(shape[0]) + bytes(shape[0]), gz=False)
    with pytest.raises(ValueError, match=re.escape(f"train-images-idx3-ubyte: {fragment}")):
        formats.mnist(folder)
    if shape[0] == 0:  # once numpy's "cannot reshape array of size 0", naming no file
        assert_refused(run("learn", "--data", f"mnist:{folder}"), "train-images-idx3-ubyte: its header declares")
