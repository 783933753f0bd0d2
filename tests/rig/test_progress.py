"""The progress clock charges a wait with the CPU time a busy target got, wall time while it sleeps."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
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
    # started (its imports read from disk: disk sleep counts as working) before the clock starts
    proc = subprocess.Popen([sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(60)"],
                            stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
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


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_a_rig_thread_serving_the_link_counts_as_the_target_working() -> None:
    """QEMU sleeps until the rig's relay thread rings its doorbell: while that thread is running or
    waiting for the CPU (a busy host), the wait is charged CPU time, not the wall clock (stairs_up on
    QEMU failed `nox -s hil` at load 20: 0.0 s of CPU and 5.1 s of waiting charged, no ACK)."""
    target = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    stop = threading.Event()

    def relay_at_work() -> None:  # hashing a large buffer runs in C without the GIL: state R
        block = b"x" * 20_000_000
        while not stop.is_set():
            hashlib.sha256(block).digest()

    worker = threading.Thread(target=relay_at_work, daemon=True)
    worker.start()
    try:
        time.sleep(0.3)
        with_rig = ProgressClock(lambda: target.pid, rig_threads=True)
        _charge_for(with_rig, 1.5)
        without = ProgressClock(lambda: target.pid)
        _charge_for(without, 1.0)
    finally:
        stop.set()
        worker.join()
        target.kill()
        target.wait()
    assert with_rig.cpu_charged_s > with_rig.wall_charged_s, (with_rig.describe(), "the relay's work counts")
    assert without.wall_charged_s > 0.5 and without.cpu_charged_s == 0.0, without.describe()


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_a_target_the_host_stopped_is_charged_a_share_of_the_wall_time() -> None:
    """A machine that stalls (SIGSTOP, a job-control stop) gives the target no time: the wait is
    charged 1/STARVED_FLOOR of the wall time meanwhile, not all of it, and says so; a target
    stopped for ever still ends the wait."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(60)"],
                            stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        os.kill(proc.pid, signal.SIGSTOP)
        time.sleep(0.1)
        clock = ProgressClock(lambda: proc.pid)
        charged = _charge_for(clock, 1.0)
        budget_s, t0 = 0.05, time.monotonic()
        clock.start()
        while clock.charged() < budget_s:
            time.sleep(0.01)
        ended_s = time.monotonic() - t0
    finally:
        proc.kill()
        proc.wait()
    assert clock.wall_charged_s == 0.0 and clock.cpu_charged_s == 0.0, clock.describe()
    assert charged == pytest.approx(1.0 / ProgressClock.STARVED_FLOOR, abs=0.03), clock.describe()
    assert "while the host held it stopped" in clock.describe()
    assert ended_s < budget_s * ProgressClock.STARVED_FLOOR + 1.0, "a target stopped for ever still ends the wait"
