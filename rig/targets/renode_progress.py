"""How much of a wait a firmware under Renode has really had: the emulated core's own progress.

The host CPU time of Renode's process (what `rig.progress.ProgressClock` charges) is no measure
of it. Renode's emulation thread and its time source (which syncs the core every 100 us of virtual
time) burn a CPU whether or not the firmware has anything to do, and the rig's bytes reach the
emulated UART through a third thread that reads the pseudo-terminal one byte per task. Measured
during a replay of fatigue_run beside another Renode on a loaded host: the emulation thread took
44 % of Renode's CPU time, the time source 24 %, its logger 13 %, the reader 17 %; the reader's
input was still waiting in the pseudo-terminal for most of the run. So a 5 s budget of Renode's
CPU time ran out while a window of SAMPLE_BATCH frames was still on its way into the UART (the
ACKs came later: not lost). Virtual time is no measure either while the rig feeds the firmware:
it runs on while the core sleeps in WFI waiting for bytes Renode has not read yet.

`RenodeClock` charges a wait with what the firmware itself had:

- the core's executed instructions at its rate in MIPS (`cpu PerformanceInMips`): the time the
  firmware computed; a core asleep in WFI executes next to none (a SysTick handler 100 times a
  virtual second), however much CPU Renode burns;
- while the sensor stream runs (sensor-fed mode: the firmware's input comes from inside the
  emulation, paced by virtual time, and the rig sends nothing), the machine's virtual time;
- and, as a bound for an emulator that stops making any progress (a firmware asleep that never
  answers, a Renode that no longer reads its input), Renode's host progress
  (`ProgressClock`: its CPU time while it runs, wall time while it sleeps) at 1/HOST_FACTOR
  (while the host holds Renode stopped, 1/STARVED_FLOOR of the wall time, as for any target).

The wait is charged the largest of the three. The figures come from a sampler (the target asks
Renode's monitor a few times a second), so `charged()` never blocks on Renode.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rig.progress import ProgressClock

#: Renode's host progress is charged at 1/HOST_FACTOR: the bound on an emulation that does not advance.
HOST_FACTOR = 10.0


@dataclass(frozen=True)
class EmulatedProgress:
    """What Renode's monitor last said about the emulation: instructions the core executed,
    whether the firmware's input then came from inside the emulation only (the sensor stream
    running) and, if so, the machine's virtual time (s; else not asked, 0)."""

    instructions: int
    virtual_s: float
    virtual_counts: bool = False


class RenodeClock(ProgressClock):
    """Seconds the firmware under Renode has had since start(), as the module docstring says.

    Args:
        progress: the latest EmulatedProgress sampled from Renode, or None before the first
            (or once Renode no longer answers): then only the host bound advances.
        mips: the core's rate, million instructions per virtual second.
        pid: the pid of Renode's process (its host progress, the bound).
        wall: the wall clock (a fake in unit tests).
    """

    def __init__(self, progress: Callable[[], EmulatedProgress | None], mips: float,
                 pid: Callable[[], int | None], wall: Callable[[], float] = time.monotonic) -> None:
        if mips <= 0:
            raise ValueError(f"the core's rate must be positive, not {mips} MIPS")
        super().__init__(pid, wall)
        self._progress = progress
        self.instructions_per_s = mips * 1e6
        self._base: EmulatedProgress | None = None
        self._virtual_s = 0.0
        self._last: EmulatedProgress | None = None
        self.instructions_charged = 0
        self.virtual_charged_s = 0.0
        self.host_charged_s = 0.0

    def start(self) -> None:
        """Begin a wait: nothing charged yet."""
        super().start()
        self._base = self._last = self._progress()
        self.instructions_charged = 0
        self.virtual_charged_s = self.host_charged_s = 0.0

    def charged(self) -> float:
        """Seconds charged to the current wait so far: the most of the core's instructions at its
        rate, the virtual time while only the emulation feeds the firmware, Renode's host progress / HOST_FACTOR."""
        self.host_charged_s = super().charged()
        now = self._progress()
        if now is not None:
            if self._base is None:
                self._base = self._last = now
            last = self._last or now
            # virtual time counts only over intervals that began with the firmware fed from inside
            if last.virtual_counts and now.virtual_s > last.virtual_s:
                self.virtual_charged_s += now.virtual_s - last.virtual_s
            self.instructions_charged = max(0, now.instructions - self._base.instructions)
            self._last = now
        return max(self.instructions_charged / self.instructions_per_s, self.virtual_charged_s,
                   self._host_bound_s())

    def _host_bound_s(self) -> float:
        """Renode's host progress as the bound counts it: 1/HOST_FACTOR of what it had while it ran or
        waited; what the host charged while it held Renode stopped (already a share of the wall
        time, rig.progress) in full, so a Renode stopped for ever ends a wait as any target does."""
        return (self.host_charged_s - self.stopped_charged_s) / HOST_FACTOR + self.stopped_charged_s

    def describe(self) -> str:
        """How the current wait was charged, for a timeout message."""
        return (f"the emulated core executed {self.instructions_charged / 1e6:.1f} M instructions "
                f"({self.instructions_charged / self.instructions_per_s:.2f} s at "
                f"{self.instructions_per_s / 1e6:g} MIPS), {self.virtual_charged_s:.1f} s of virtual time "
                f"with its sensor stream running; Renode itself had {self.cpu_charged_s:.1f} s of CPU time "
                f"while it ran and {self.wall_charged_s:.1f} s while it waited, counted 1/{HOST_FACTOR:g}"
                + (f"; the host held it stopped for {self.stopped_charged_s * self.STARVED_FLOOR:.1f} s, "
                   f"counted 1/{self.STARVED_FLOOR:g}" if self.stopped_charged_s else ""))
