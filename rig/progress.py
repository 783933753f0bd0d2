"""How much of a wait an emulated target has really had: its own progress, not the wall clock.

A wait for the firmware (an ACK, a SUMMARY) has a budget in seconds. On a loaded machine an
emulator or a simulation gets a small share of a CPU: a budget counted in wall seconds then runs
out while the target is working normally, only slowly. A `ProgressClock` charges a wait instead
with the time the target could use: while any thread of the target's process tree is running or
waiting for a CPU, only the CPU time it actually got is charged; while it sleeps (waiting for
input, or blocked), wall time is charged. A target that is slow because the host is busy is
therefore never called hung; one that spins without answering, or sleeps without answering,
uses its budget up as before.

A thread blocked on the host itself (state D: a disk write under I/O pressure) counts as working,
and so, with rig_threads, do the rig's own threads that serve the target's link (QEMU's bulk
relay appends each batch to a file before it rings the firmware's doorbell: while that thread
waits for a CPU or the disk, QEMU sleeps, and the wait is the host's, not the target's). While
working, a wait is charged at least 1/STARVED_FLOOR of the wall time, so a thread blocked for ever
still ends it (after at most STARVED_FLOOR times its budget).

A target the host has stopped (SIGSTOP, a job-control stop, a debugger: state T or t) makes no
progress of its own fault either: a machine that stalls its emulator for a while must get the same
verdict as one that does not. Such a wait is charged 1/STARVED_FLOOR of the wall time too, so a
target stopped for ever still ends it, and the timeout's message says it was stopped.

The figures come from /proc (Linux); elsewhere the clock falls back to the wall clock.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Container
from pathlib import Path

_PROC = Path("/proc")
_TICKS_PER_S = float(os.sysconf("SC_CLK_TCK")) if hasattr(os, "sysconf") else 100.0


def _descendants(pid: int) -> list[int]:
    """pid and every process below it (children of every thread, recursively)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            tasks = list((_PROC / str(p) / "task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except (OSError, ValueError):
                continue
    return out


#: Thread states that mean working or held up by the host: running or runnable, and disk sleep.
_WORKING = ("R", "D")
#: Thread states that mean stopped by the host: a stop signal (SIGSTOP, SIGTSTP), a tracer.
_STOPPED = ("T", "t")


def _thread_states(pid: int, skip: Container[str] = ()) -> tuple[float, bool, bool]:
    """(CPU seconds used, whether any thread is running, runnable or in disk sleep, whether any is
    stopped) of one process, without the threads whose ids are in skip."""
    cpu_s, busy, stopped = 0.0, False, False
    try:
        tasks = list((_PROC / str(pid) / "task").iterdir())
    except OSError:
        return 0.0, False, False
    for task in tasks:
        if task.name in skip:
            continue
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: fields start after the last ')'
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) < 13:
            continue
        busy = busy or fields[0] in _WORKING
        stopped = stopped or fields[0] in _STOPPED
        cpu_s += (int(fields[11]) + int(fields[12])) / _TICKS_PER_S
    return cpu_s, busy, stopped


def _tree_states(pid: int) -> tuple[float, bool, bool]:
    """(CPU seconds used by the threads now alive in pid's process tree, whether any is runnable,
    whether any is stopped)."""
    total, busy, stopped = 0.0, False, False
    for p in _descendants(pid):
        cpu_s, b, s = _thread_states(p)
        total += cpu_s
        busy, stopped = busy or b, stopped or s
    return total, busy, stopped


def tree_usage(pid: int) -> tuple[float, bool]:
    """(CPU seconds used by the threads now alive in pid's process tree, whether any is runnable)."""
    total, busy, _ = _tree_states(pid)
    return total, busy


class ProgressClock:
    """Seconds a target has had since start(), charged as the module docstring says.

    `pid` returns the pid of the target's main process, or None when there is none (then
    wall time is charged). The process tree is sampled at most every SAMPLE_S seconds (a wait
    may be charged up to that much of the time just before it began). rig_threads: count this
    process's other threads (those serving the target's link) as part of the target.
    """

    SAMPLE_S = 0.05
    STARVED_FLOOR = 20.0

    def __init__(self, pid: Callable[[], int | None], wall: Callable[[], float] = time.monotonic,
                 rig_threads: bool = False) -> None:
        self._pid = pid
        self._rig_threads = rig_threads
        self._wall = wall
        self._last_wall = wall()
        self._last_cpu: float | None = None
        self._charged_s = 0.0
        self.wall_charged_s = 0.0
        self.cpu_charged_s = 0.0
        #: Charged while the host held the target stopped (its wall time at 1/STARVED_FLOOR).
        self.stopped_charged_s = 0.0

    def start(self) -> None:
        """Begin a wait: nothing charged yet."""
        self._charged_s = 0.0
        self.wall_charged_s = self.cpu_charged_s = self.stopped_charged_s = 0.0

    def charged(self) -> float:
        """Seconds charged to the current wait so far."""
        now = self._wall()
        wall_s = max(0.0, now - self._last_wall)
        if wall_s < self.SAMPLE_S:
            return self._charged_s
        self._last_wall = now
        pid = self._pid()
        if pid is None or not _PROC.is_dir():
            self._charged_s += wall_s
            self.wall_charged_s += wall_s
            return self._charged_s
        cpu_s, busy, stopped = _tree_states(pid)
        if self._rig_threads:
            # the rig's threads but the one asking (it is running now, to ask)
            own_s, own_busy, _ = _thread_states(os.getpid(), skip={str(threading.get_native_id())})
            cpu_s, busy = cpu_s + own_s, busy or own_busy
        last, self._last_cpu = self._last_cpu, cpu_s
        if last is None:
            return self._charged_s
        if busy or stopped:
            # Working, or stopped by the host: charge what it got of the CPU, never more than the
            # wall time that passed, never less than a share of it (a thread held up or stopped for
            # ever still ends the wait)
            got = min(max(cpu_s - last, wall_s / self.STARVED_FLOOR), wall_s)
            self._charged_s += got
            if busy:
                self.cpu_charged_s += got
            else:
                self.stopped_charged_s += got
        else:
            self._charged_s += wall_s
            self.wall_charged_s += wall_s
        return self._charged_s

    def describe(self) -> str:
        """How the current wait was charged, for a timeout message."""
        stopped = (f", {self.stopped_charged_s:.1f} s while the host held it stopped (its wall time "
                   f"counted 1/{self.STARVED_FLOOR:g})" if self.stopped_charged_s else "")
        return (f"{self.cpu_charged_s:.1f} s of the target's CPU time while it ran and "
                f"{self.wall_charged_s:.1f} s while it waited{stopped}")


class WallClock(ProgressClock):
    """Charges wall time only (a board: nothing of it can be observed from here)."""

    def __init__(self) -> None:
        super().__init__(lambda: None)
