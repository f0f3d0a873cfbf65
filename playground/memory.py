"""Giving freed memory back to the system while the window runs for hours.

Painting while training frees and allocates buffers all the time (new training sets, new
workspaces, maps, snapshots), on three threads, and glibc's allocator kept much of what was
freed: the process's resident memory crept up although the memory in use did not. Two causes,
two remedies, both for Linux with glibc (elsewhere they do nothing):

* glibc serves a block above its mmap threshold with its own mapping, given back when freed,
  but it raises that threshold to the size of every such block freed (up to 32 MiB): from then
  on NumPy's arrays of a few MB came from the heap, whose holes are not given back.
  :func:`configure_allocator` fixes the threshold at MMAP_THRESHOLD, which turns that off
  (benchmarks/soak.py: RSS +37 MB at 120 s before, +15 MB after; +42 MB over 5 minutes).
* Smaller blocks freed in the middle of the heap stay with the allocator: the window calls
  :func:`release_free_memory` (``malloc_trim(0)``) every RELEASE_INTERVAL_MS.
"""

import ctypes
import sys
from collections.abc import Callable

RELEASE_INTERVAL_MS = 20_000
MMAP_THRESHOLD = 256 * 2**10  # blocks from this size on get their own mapping
_M_MMAP_THRESHOLD = -3  # mallopt's parameter number (glibc's malloc.h)


def _glibc_function(name: str, argtypes: list) -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        # the process's own symbols, libc's among them (find_library would run ldconfig)
        libc = ctypes.CDLL(None)
        function = getattr(libc, name)  # malloc_trim and mallopt: glibc only
    except (OSError, AttributeError):
        return None
    function.argtypes = argtypes
    function.restype = ctypes.c_int
    return function


_MALLOC_TRIM = _glibc_function("malloc_trim", [ctypes.c_size_t])
_MALLOPT = _glibc_function("mallopt", [ctypes.c_int, ctypes.c_int])


def configure_allocator() -> bool:
    """Fix glibc's mmap threshold at MMAP_THRESHOLD (see the module); True if it was set.
    Safe to call more than once."""
    return bool(_MALLOPT(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) if _MALLOPT is not None else False


def can_release_free_memory() -> bool:
    """Whether :func:`release_free_memory` does something here (Linux with glibc)."""
    return _MALLOC_TRIM is not None


def release_free_memory() -> bool:
    """Give the memory the allocator holds free back to the system (glibc's ``malloc_trim``,
    which ctypes calls without the GIL); True if some was given back."""
    return bool(_MALLOC_TRIM(0)) if _MALLOC_TRIM is not None else False
