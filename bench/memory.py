"""Resident memory of this process, read from /proc: now, and the peak since the last reset."""

from __future__ import annotations

import re
import resource
from pathlib import Path

MIB = 2**20


def _status(field: str) -> int | None:
    try:
        match = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    except OSError:
        return None
    return int(match.group(1)) * 1024 if match else None


def rss() -> int:
    """Bytes resident now (0 where /proc is missing)."""
    return _status("VmRSS") or 0


def peak_rss() -> int:
    """Bytes resident at the peak since the process started or since `reset_peak`."""
    return _status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_peak() -> bool:
    """Start a new peak from the current size (Linux >= 4.0); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False
