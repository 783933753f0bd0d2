"""Waits on Renode follow the emulated core, not Renode's host CPU time (rig.targets.renode_progress).

The emulation is faked here (what Renode's monitor would say, and the wall clock); the real
Renode target is exercised in test_renode.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from rig.progress import ProgressClock
from rig.targets.renode import _virtual_s
from rig.targets.renode_progress import HOST_FACTOR, EmulatedProgress, RenodeClock


class FakeWall:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class FakeRenode:
    """What the sampler last read from Renode's monitor."""

    def __init__(self) -> None:
        self.now: EmulatedProgress | None = EmulatedProgress(instructions=1_000_000, virtual_s=1.0)

    def __call__(self) -> EmulatedProgress | None:
        return self.now

    def advance(self, instructions: int, virtual_s: float, streaming: bool = False) -> None:
        assert self.now is not None
        self.now = EmulatedProgress(self.now.instructions + instructions, self.now.virtual_s + virtual_s, streaming)


def _step(clock: ProgressClock, wall: FakeWall, renode: FakeRenode, seconds: float, instructions_per_s: float,
          virtual_per_s: float, streaming: bool = False) -> float:
    """Let `seconds` of wall time pass in 0.1 s steps, the core running as told; the charge at the end."""
    for _ in range(round(seconds / 0.1)):
        wall.t += 0.1
        renode.advance(round(instructions_per_s * 0.1), virtual_per_s * 0.1, streaming)
        clock.charged()
    return clock.charged()


def test_renode_racing_through_idle_time_is_not_the_firmware_being_slow() -> None:
    """The late ACK: Renode busy for 5.2 s while the core slept in WFI, the request still on its
    way into the UART. Renode's host progress ran the 5 s budget out; the core's did not."""
    wall, renode = FakeWall(), FakeRenode()
    host = ProgressClock(lambda: None, wall)  # the old measure (no process: host time as wall time)
    clock = RenodeClock(renode, mips=100.0, pid=lambda: None, wall=wall)
    host.start()
    clock.start()
    # asleep in WFI: a 100 Hz SysTick of ~200 instructions, virtual time running on with the host's
    charged = _step(clock, wall, renode, 5.2, instructions_per_s=100 * 200, virtual_per_s=1.0)
    assert host.charged() >= 5.0, "the old clock timed this wait out"
    assert charged < 1.0
    assert charged == pytest.approx(5.2 / HOST_FACTOR, rel=0.05), "only the bound on host progress advanced"
    assert clock.virtual_charged_s == 0.0, "virtual time does not count while the rig feeds the firmware"


def test_the_core_computing_is_charged_its_instructions_at_its_rate() -> None:
    wall, renode = FakeWall(), FakeRenode()
    clock = RenodeClock(renode, mips=100.0, pid=lambda: None, wall=wall)
    clock.start()
    # a firmware spinning without answering: 100 M instructions per wall second
    charged = _step(clock, wall, renode, 2.0, instructions_per_s=100e6, virtual_per_s=1.0)
    assert clock.instructions_charged == pytest.approx(200e6, rel=0.01)
    assert charged == pytest.approx(2.0, rel=0.01)
    assert "200.0 M instructions" in clock.describe() and "100 MIPS" in clock.describe()
    clock.start()
    assert clock.charged() == 0.0 and clock.instructions_charged == 0, "each wait starts from nothing"


def test_virtual_time_counts_while_the_sensor_stream_runs() -> None:
    """Sensor-fed: the firmware's input comes from inside the emulation, paced by virtual time."""
    wall, renode = FakeWall(), FakeRenode()
    clock = RenodeClock(renode, mips=100.0, pid=lambda: None, wall=wall)
    clock.start()
    before = _step(clock, wall, renode, 1.0, instructions_per_s=1e4, virtual_per_s=30.0)
    assert clock.virtual_charged_s == 0.0 and before < 1.0
    charged = _step(clock, wall, renode, 1.0, instructions_per_s=6e5, virtual_per_s=3.0, streaming=True)
    # the first interval began before the stream: 0.1 s of wall (0.3 s virtual) not counted
    assert clock.virtual_charged_s == pytest.approx(2.7, rel=0.01)
    assert charged == pytest.approx(2.7, rel=0.01)


def test_renode_that_stops_answering_is_bounded_by_its_host_progress() -> None:
    wall, renode = FakeWall(), FakeRenode()
    clock = RenodeClock(renode, mips=100.0, pid=lambda: None, wall=wall)
    clock.start()
    renode.now = None  # the sampler gave up: the monitor no longer answers
    for _ in range(500):
        wall.t += 0.1
        clock.charged()
    assert clock.charged() == pytest.approx(50.0 / HOST_FACTOR, rel=0.01)
    assert "counted 1/10" in clock.describe()


def test_no_sample_yet_at_the_start_of_a_wait() -> None:
    wall, renode = FakeWall(), FakeRenode()
    renode.now = None
    clock = RenodeClock(renode, mips=50.0, pid=lambda: None, wall=wall)
    clock.start()
    renode.now = EmulatedProgress(10_000_000, 2.0)
    assert clock.charged() == 0.0, "the first sample is where the wait begins"
    renode.advance(50_000_000, 1.0)
    wall.t += 0.1
    assert clock.charged() == pytest.approx(1.0)


def test_a_core_rate_that_is_not_positive_is_refused() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        RenodeClock(FakeRenode(), mips=0.0, pid=lambda: None)


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_a_busy_renode_process_is_charged_only_a_tenth_of_its_cpu_time() -> None:
    """A real process burning a CPU, the emulated core idle: its CPU time counts 1/HOST_FACTOR."""
    spinner = subprocess.Popen([sys.executable, "-c", "import time\nt = time.time()\nwhile time.time() - t < 60: pass\n"])
    renode = FakeRenode()
    try:
        time.sleep(0.3)
        clock = RenodeClock(renode, mips=100.0, pid=lambda: spinner.pid)
        host = ProgressClock(lambda: spinner.pid)
        clock.start()
        host.start()
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            clock.charged()
            host.charged()
            time.sleep(0.02)
        charged, host_charged = clock.charged(), host.charged()
    finally:
        spinner.kill()
        spinner.wait()
    assert host_charged > 0
    assert charged == pytest.approx(clock.host_charged_s / HOST_FACTOR)
    assert charged < host_charged


def test_virtual_time_as_renode_prints_it() -> None:
    printed = ("[Domain = Elapsed Virtual Time: 00:00:48.052870\nElapsed Host Time: 00:00:46.232954\n"
               "Current load: 125\nAdvance immediately: True\nQuantum: 00:00:00.000100, TimeElapsed = 01:02:03.250000]")
    assert _virtual_s(printed) == pytest.approx(3723.25), "the machine's time, not its time source's"
    assert _virtual_s("TimeElapsed = 00:00:00.000001") == pytest.approx(1e-6)
    with pytest.raises(Exception, match="not a time"):
        _virtual_s("No such command")


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_a_renode_the_host_stopped_ends_a_wait_as_any_target_does() -> None:
    """Renode stopped by the host (SIGSTOP) and its monitor silent: the wait is charged 1/STARVED_FLOOR
    of the wall time, as rig.progress charges any stopped target, not that again at 1/HOST_FACTOR
    (a wait of 10 s would then end only after 2,000 s of a Renode stopped for ever)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(60)"],
                            stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        os.kill(proc.pid, signal.SIGSTOP)
        renode = FakeRenode()
        clock = RenodeClock(renode, mips=100.0, pid=lambda: proc.pid)
        clock.start()
        renode.now = None  # the sampler waits on the stopped monitor
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            clock.charged()
            time.sleep(0.02)
        charged = clock.charged()
    finally:
        proc.kill()
        proc.wait()
    assert charged == pytest.approx(1.0 / ProgressClock.STARVED_FLOOR, abs=0.03), clock.describe()
    assert "the host held it stopped" in clock.describe()
