"""Giving freed memory back to the system while the window runs for hours.

Painting while training frees and allocates buffers all the time (new training sets, new
workspaces, snapshots), on three threads. glibc's allocator keeps much of what is freed in its
per-thread arenas, so the process's resident memory creeps up although the memory in use does
not: in a 5-minute soak (benchmarks/soak.py) 27 of the 62 MB of growth was memory freed but
kept, given back by ``malloc_trim(0)``. The window calls :func:`release_free_memory` every
RELEASE_INTERVAL_MS; elsewhere (macOS, Windows, musl) it does nothing.
"""

import ctypes
import ctypes.util
import sys
from collections.abc import Callable

RELEASE_INTERVAL_MS = 20_000


def _find_malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim  # glibc only
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_MALLOC_TRIM = _find_malloc_trim()


def can_release_free_memory() -> bool:
    """Whether :func:`release_free_memory` does something here (Linux with glibc)."""
    return _MALLOC_TRIM is not None


def release_free_memory() -> bool:
    """Give the memory the allocator holds free back to the system (glibc's ``malloc_trim``,
    which ctypes calls without the GIL); True if some was given back."""
    return bool(_MALLOC_TRIM(0)) if _MALLOC_TRIM is not None else False
