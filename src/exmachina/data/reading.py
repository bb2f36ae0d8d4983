"""Reading input files with bounds, so that no file can make exmachina run out of memory.

- Directories, devices and sockets are refused; a FIFO or a pipe is read as a stream, with a cap.
- A plain file is checked against the memory it needs before a byte of it is read.
- Gzipped data is inflated as a stream: its trailer's size is checked first, and inflating stops as
  soon as the output passes what memory allows, or what the data's own header declared.

`expansion` is what the caller holds in memory per byte read: parsing text into numbers costs far
more than the text. Every refusal is a ValueError of one line that names the file.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import zlib
from pathlib import Path
from types import TracebackType
from typing import Any

GZIP = b"\x1f\x8b"
CHUNK = 1 << 20
DEFLATE_RATIO = 1032  # deflate never inflates one byte into more than this many
TEXT = 40  # bytes of memory per byte of CSV text: lines, fields, Python floats (measured: 20-40)
JSON = 8  # bytes of memory per byte of JSON while it is parsed (lists of Python floats)
GIB = 1 << 30


def available_memory() -> int:
    """Bytes this process may still take: the kernel's MemAvailable, or less under a cgroup limit or
    an address-space limit (`ulimit -v`), which counts what the process has mapped already."""
    available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text())
        if limit != "max":
            available = min(available, int(limit) - used)
    except (OSError, ValueError):
        pass
    return max(min(available, address_space_left()), 0)


def address_space_left() -> int:
    """Bytes of address space this process may still map under `ulimit -v` (unlimited: a huge number)."""
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    if limit == resource.RLIM_INFINITY:
        return 1 << 62
    try:
        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        mapped = 0
    return limit - mapped


def gib(n: float) -> str:
    return f"{n / GIB:.1f} GiB"


class Stream:
    """A data file opened for bounded reading: `read(n)` gives its bytes, inflated if gzipped."""

    def __init__(self, path: str | os.PathLike, expansion: float) -> None:
        self.path, self.expansion = path, expansion
        try:
            mode = os.stat(path).st_mode
        except OSError as bad:
            raise ValueError(f"{path}: {bad.strerror}") from None
        if stat.S_ISDIR(mode):
            raise ValueError(f"{path}: is a directory, not a data file")
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise ValueError(f"{path}: is a device or a socket, not a data file")
        self.available = available_memory()
        self.limit = int(self.available / expansion)  # the most this file may give
        try:
            self.file = open(path, "rb")  # a FIFO waits here for its writer, as `cat` would
        except OSError as bad:
            raise ValueError(f"{path}: {bad.strerror}") from None
        self.size = os.fstat(self.file.fileno()).st_size if stat.S_ISREG(mode) else None
        self.given = 0
        self.buffer = b""
        self.inflater = None
        head = self._raw(2)
        if head == GZIP:
            self.inflater = zlib.decompressobj(wbits=31)
            self._check_trailer()
        elif self.size is not None:
            self._afford(self.size, "the file holds")
        self.pending = head  # raw bytes not yet handed on (or inflated)

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, kind: type | None, value: BaseException | None, trace: TracebackType | None) -> None:
        self.file.close()

    # -- what the caller may ask for -------------------------------------------------------------

    def read(self, n: int = -1) -> bytes:
        """Up to `n` bytes (all with -1); a ValueError once the data passes what memory allows."""
        want = self.limit + 1 if n < 0 else n
        parts, count = [self.buffer], len(self.buffer)
        while count < want:
            chunk = self._next(min(CHUNK, want - count))
            if not chunk:
                break
            parts.append(chunk)
            count += len(chunk)
        data = b"".join(parts)
        data, self.buffer = data[:want], data[want:]
        self.given += len(data)
        if self.given > self.limit:
            raise ValueError(f"{self.path}: more data than memory allows: reading stopped after {gib(self.given)} "
                             f"(about {gib(self.given * self.expansion)} needed to use it, "
                             f"{gib(self.available)} available)")
        return data

    def expect(self, declared: int, what: str) -> None:
        """Refuse at once a header that declares more bytes than the file can hold or memory allows."""
        if self.size is not None:
            most = self.size * DEFLATE_RATIO if self.inflater else self.size - self.given
            if declared > most:
                holds = (f"a gzip file of {self.size:,} bytes inflates to at most {most:,}" if self.inflater
                         else f"only {most:,} follow")
                raise ValueError(f"{self.path}: {what} declares {declared:,} bytes but {holds}")
        self._afford(declared, what)

    # -- inside --------------------------------------------------------------------------------

    def _afford(self, size: int, what: str) -> None:
        need = size * self.expansion
        if need > self.available:
            raise ValueError(f"{self.path}: {what} {size:,} bytes, which would need about {gib(need)} of memory; "
                             f"{gib(self.available)} is available")

    def _check_trailer(self) -> None:
        """A gzip file ends with its size (modulo 4 GiB): a bomb that admits its size goes no further."""
        if self.size is None or self.size < 18:
            return
        self.file.seek(-4, os.SEEK_END)
        declared = int.from_bytes(self.file.read(4), "little")
        self.file.seek(2)
        self._afford(declared, "inflated, it says it holds")

    def _raw(self, n: int) -> bytes:
        try:
            return self.file.read(n)
        except OSError as bad:
            raise ValueError(f"{self.path}: {bad.strerror}") from None

    def _next(self, n: int) -> bytes:
        """The next bytes of data: raw, or inflated a chunk at a time (never more than `n` at once)."""
        if self.inflater is None:
            chunk, self.pending = self.pending or self._raw(n), b""
            return chunk
        while True:
            if self.inflater.eof:  # the end, or another gzip member (as `cat a.gz b.gz` makes)
                source = self.inflater.unused_data + (self.pending or self._raw(CHUNK))
                if not source:
                    return b""
                self.inflater = zlib.decompressobj(wbits=31)
            else:
                source = self.inflater.unconsumed_tail or self.pending or self._raw(CHUNK)
                if not source:
                    raise ValueError(f"{self.path}: damaged gzip data (it ends early: truncated)")
            self.pending = b""
            try:
                out = self.inflater.decompress(source, n)
            except zlib.error as bad:
                raise ValueError(f"{self.path}: damaged gzip data ({bad})") from None
            if out:
                return out


def read_text(stream: Stream, path: str | os.PathLike) -> bytes:
    """All of a stream that should be text; a NUL byte (a binary file, /dev/zero) stops it at once."""
    parts: list[bytes] = []
    while chunk := stream.read(CHUNK):
        if b"\0" in chunk:
            line = sum(p.count(b"\n") for p in parts) + chunk[:chunk.index(b"\0")].count(b"\n") + 1
            raise ValueError(f"{path}, line {line}: not text (a NUL byte): is it a binary file?")
        parts.append(chunk)
    return b"".join(parts)


def text_lines(path: str | os.PathLike) -> list[str]:
    """A text file's lines (gunzipped if gzipped), read with bounds."""
    with Stream(path, TEXT) as stream:
        raw = read_text(stream, path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        line = raw[:bad.start].count(b"\n") + 1
        raise ValueError(f"{path}, line {line}: not UTF-8 text (byte {raw[bad.start]:#04x})") from None
    return text.splitlines()


def read_json(path: str | os.PathLike) -> Any:
    """A JSON file read with bounds, as strict JSON (no NaN), or a one-line ValueError naming it."""
    with Stream(path, JSON) as stream:
        text = read_text(stream, path)
    try:
        return json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as bad:
        raise ValueError(f"{path}: not valid JSON (line {bad.lineno}, column {bad.colno})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not valid JSON (not UTF-8 text)") from None
    except RecursionError:
        raise ValueError(f"{path}: its JSON is nested thousands of levels deep") from None
    except ValueError as bad:
        raise ValueError(f"{path}: {bad}") from None


def no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows (and no figure or weight may be {name})")
