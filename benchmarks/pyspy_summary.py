"""Summarise one thread of a py-spy profile: idle, waiting for the GIL, and where the rest goes.

``py-spy record --native --threads --format raw`` writes one line per distinct stack:
``thread (tid): name;outermost frame;...;innermost frame count``. For the thread named
``--thread`` (default MainThread, the GUI thread) this prints

* how its samples split into idle (the event loop polling for events), waiting to take
  Python's GIL back (from a Qt call that released it, or a callback into Python), waiting for
  Qt's own drawing threads, and busy;
* the frames with the most samples including what they call (each sample counted once per
  frame), and the innermost frames (own time), among the busy and GIL-waiting samples;

in % of the thread's samples and, given ``--seconds`` (how long py-spy sampled) and
``--snapshots`` (how many frames the window drew meanwhile), in ms per snapshot.

To profile the window past its start-up (``benchmarks/gui_profile.py`` touches
``--ready-file`` when its measured interval begins)::

    python benchmarks/gui_profile.py --no-cprofile --seconds 20 --ready-file /tmp/ready &
    while [ ! -e /tmp/ready ]; do sleep 0.2; done
    py-spy record --native --threads --idle --nonblocking --format raw -r 100 -d 10 \\
        -o /tmp/gui.txt --pid $!
    python benchmarks/pyspy_summary.py /tmp/gui.txt --seconds 10 --snapshots <from its output>
"""

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the checkout's root is where `benchmarks` is
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import markdown_table  # noqa: E402

IDLE_LEAVES = ("poll (", "ppoll (", "epoll_wait (", "select (")
# Native frames that mean "this thread is waiting to take the GIL back".
GIL_FRAMES = (
    "take_gil",
    "PyEval_RestoreThread",
    "PyEval_AcquireThread",
    "PyGILState_Ensure",
    "Shiboken::ThreadStateSaver::restore",
    "Shiboken::GilState::GilState",
)
WAITS = ("pthread_cond_timedwait", "pthread_cond_wait")
EVENT_LOOP = "g_main_context_iteration"
QT_THREAD_WAIT = "QLatch::waitInternal"  # Qt's raster engine waiting for its drawing threads
PYTHON_FRAME = re.compile(r"\.py:\d+\)$")


def parse(lines, thread: str) -> Counter[tuple[str, ...]]:
    """Stacks (outermost first, without the thread's own label) and their sample counts."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        if not re.search(rf"\b{re.escape(thread)}\b", frames[0]):
            continue
        stacks[tuple(frames[1:])] += int(count)
    return stacks


def kind(frames: tuple[str, ...]) -> str:
    """What one stack was doing: "idle" (the event loop polling), "gil" (waiting to take the
    GIL: a condition wait right under a Python frame, where CPython's static take_gil has no
    symbol, or under one of GIL_FRAMES), "qt threads" (Qt's raster engine waiting for the
    threads it splits image drawing over) or "busy"."""
    if not frames:
        return "busy"
    tail = frames[-4:]
    if frames[-1].startswith(IDLE_LEAVES) and any(EVENT_LOOP in f for f in tail):
        return "idle"
    if any(QT_THREAD_WAIT in f for f in tail):
        return "qt threads"
    meaningful = [f for f in frames if not f.startswith("0x") and "(libc.so" not in f]
    waiting = any(f.startswith(WAITS) for f in tail)
    if waiting and meaningful:
        inner = meaningful[-1]
        if PYTHON_FRAME.search(inner) or any(g in inner for g in GIL_FRAMES):
            return "gil"
    return "busy"


def label(frame: str) -> str:
    """A frame without addresses and line numbers: "ImageItem.paint (ImageItem.py)"."""
    match = re.match(r"(.*?) \((.*?)(?::\d+)?\)$", frame)
    if not match:
        return frame
    name, where = match.groups()
    return f"{name} ({Path(where).name})"


def summarise(stacks: Counter[tuple[str, ...]]) -> dict:
    by_kind: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    gil_callers: Counter[str] = Counter()
    for frames, n in stacks.items():
        k = kind(frames)
        by_kind[k] += n
        if k == "idle":
            continue
        for name in {label(f) for f in frames if not f.startswith("0x")}:
            inclusive[name] += n
        innermost = next((f for f in reversed(frames) if not f.startswith("0x")), "?")
        own[label(innermost)] += n
        if k == "gil":
            python = [f for f in frames if PYTHON_FRAME.search(f)]
            gil_callers[label(python[-1]) if python else "(no Python frame)"] += n
    return {
        "total": sum(stacks.values()),
        "kinds": by_kind,
        "inclusive": inclusive,
        "own": own,
        "gil_callers": gil_callers,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", type=Path, help="py-spy's --format raw output")
    parser.add_argument("--thread", default="MainThread", help="the thread's name")
    parser.add_argument("--top", type=int, default=30, help="rows of the frame tables")
    parser.add_argument("--seconds", type=float, help="how long py-spy sampled")
    parser.add_argument("--snapshots", type=int, help="snapshots drawn meanwhile")
    args = parser.parse_args(argv)

    with args.raw.open(encoding="utf-8", errors="replace") as lines:
        result = summarise(parse(lines, args.thread))
    total = result["total"]
    if total == 0:
        raise SystemExit(f"no samples of a thread named {args.thread!r} in {args.raw}.")

    def cells(n: int) -> list[str]:
        row = [str(n), f"{n / total:.1%}"]
        if args.seconds and args.snapshots:
            row.append(f"{n / total * args.seconds / args.snapshots * 1000:.2f}")
        return row

    headers = ["samples", "% of thread"]
    if args.seconds and args.snapshots:
        headers.append("ms per snapshot")
    print(f"{args.thread}: {total} samples\n")
    rows = [[k, *cells(result["kinds"][k])] for k in ("idle", "gil", "qt threads", "busy")]
    print(markdown_table(["state", *headers], rows))
    for title, key in (
        ("including what they call (busy and GIL-waiting samples)", "inclusive"),
        ("innermost (own time)", "own"),
        ("Python frames that were waiting for the GIL", "gil_callers"),
    ):
        print(f"\nFrames {title}:\n" if key != "gil_callers" else f"\n{title}:\n")
        rows = [[name, *cells(n)] for name, n in result[key].most_common(args.top)]
        print(markdown_table(["frame", *headers], rows))


if __name__ == "__main__":
    main()
