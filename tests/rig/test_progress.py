"""The progress clock charges a wait with the CPU time a busy target got, wall time while it sleeps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from rig.progress import ProgressClock, WallClock, tree_usage

SPIN = "import time\nt = time.time()\nwhile time.time() - t < 60: pass\n"


def _spinner(nice: int = 0) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", f"import os; os.nice({nice})\n" + SPIN])


def _charge_for(clock: ProgressClock, seconds: float) -> float:
    clock.start()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        clock.charged()
        time.sleep(0.02)
    return clock.charged()


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_a_sleeping_target_is_charged_wall_time() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        time.sleep(0.3)
        clock = ProgressClock(lambda: proc.pid)
        charged = _charge_for(clock, 1.0)
    finally:
        proc.kill()
        proc.wait()
    assert clock.cpu_charged_s == 0.0
    assert charged == clock.wall_charged_s > 0.5


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_a_starved_busy_target_is_charged_only_the_cpu_it_got() -> None:
    """The target spins at the lowest priority while as many spinners as cores take the CPUs."""
    hogs = [_spinner() for _ in range(os.cpu_count() or 1)]
    target = _spinner(nice=19)
    try:
        time.sleep(0.3)
        clock = ProgressClock(lambda: target.pid)
        cpu_before, _ = tree_usage(target.pid)
        charged = _charge_for(clock, 2.0)
        cpu_after, busy = tree_usage(target.pid)
    finally:
        for p in hogs + [target]:
            p.kill()
            p.wait()
    assert busy
    assert clock.wall_charged_s < 0.5, "a runnable target is charged its CPU time, not the wall clock"
    assert charged <= (cpu_after - cpu_before) + 0.5
    assert charged < 1.5


def test_tree_usage_counts_children() -> None:
    parent = subprocess.Popen([sys.executable, "-c", "import subprocess, sys; subprocess.run([sys.executable, '-c', "
                               + repr(SPIN) + "])"], start_new_session=True)
    seen_busy, cpu_s = False, 0.0
    try:
        end = time.monotonic() + 30  # a bound for a loaded machine, not a speed figure
        while time.monotonic() < end and not (seen_busy and cpu_s > 0.3):
            cpu_s, busy = tree_usage(parent.pid)
            seen_busy = seen_busy or busy
            time.sleep(0.05)
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
        parent.wait()
    assert seen_busy and cpu_s > 0.3, "the grandchild's CPU time is counted"


def test_wall_clock_charges_wall_time() -> None:
    clock = WallClock()
    charged = _charge_for(clock, 0.3)
    assert charged == clock.wall_charged_s and charged > 0.1
