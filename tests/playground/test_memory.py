"""Memory freed while the window runs goes back to the system (issue 9's soak: RSS growth)."""

import os
import sys

from PySide6.QtCore import QTimer

from playground import memory


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_freed_memory_kept_by_the_allocator_goes_back_to_the_system():
    assert memory.can_release_free_memory() == sys.platform.startswith("linux")  # glibc here
    blocks = [bytearray(100_000) for _ in range(600)]  # 60 MB, below glibc's mmap threshold
    for i in range(len(blocks)):
        if i % 10:
            blocks[i] = None  # holes between kept blocks: the allocator keeps them by itself
    before = resident_bytes()
    assert memory.release_free_memory() is True
    assert before - resident_bytes() > 40e6  # most of the 54 MB freed
    assert sum(len(block) for block in blocks if block is not None) == 6_000_000


def test_the_window_gives_freed_memory_back_regularly(window):
    timer = window.controller.findChild(QTimer, "memoryTimer")
    assert timer is not None and timer.isActive()
    assert timer.interval() == memory.RELEASE_INTERVAL_MS == 20_000
