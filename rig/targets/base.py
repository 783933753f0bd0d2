"""What every target is: a place the firmware runs, reachable through a pyserial URL.

A target launches and stops what rig.build hands it; it never builds anything itself.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rig.errors import RigError, TargetUnavailable
from rig.progress import ProgressClock

if TYPE_CHECKING:
    from rig.inject import RawStream


@dataclass(frozen=True)
class Availability:
    """Whether a target can run here; reason says why not and what to install."""

    ok: bool
    reason: str = ""


class Target(abc.ABC):
    """A place the firmware runs. start() returns the link URL; stop() ends it.

    Targets only move bytes: they know nothing of scenarios or byte layouts.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    #: True for a target whose firmware reads its own (emulated) sensor: the
    #: rig hands it the samples with feed() before start() and configures the
    #: firmware in LIVE mode, instead of sending SAMPLE_BATCH frames.
    sensor_fed: ClassVar[bool] = False

    def feed(self, raw: "RawStream", run_dir: Path) -> float:
        """Give a sensor-fed target its samples; return how long the wait for the run's end may take, s,
        as charged by this target's progress_clock() (its own progress, not the wall clock)."""
        raise NotImplementedError(f"target {self.name!r} takes samples over the link, not from a sensor")

    @classmethod
    @abc.abstractmethod
    def availability(cls) -> Availability:
        """Can this target run on this machine? Never raises."""

    @abc.abstractmethod
    def start(self, run_dir: Path) -> str:
        """Bring the firmware up; return the pyserial URL of its link."""

    @abc.abstractmethod
    def stop(self) -> str:
        """End the firmware; return a one-line account of how it ended."""

    #: Link speed, bits per second (what a real UART would run at; emulated links ignore it).
    baud: int = 115200
    #: How long the link waits for a port that vanished to come back (a board's USB re-enumerating), s; 0: never.
    reopen_s: float = 0.0

    def check_hello(self, hello: dict[str, Any]) -> None:
        """Raise RigError when the firmware's HELLO is not what this target must run (default: any HELLO)."""
        return None

    def usable(self) -> Availability:
        """Can this target, as configured, run here? (availability() unless its settings say more.)"""
        return self.availability()

    def pid(self) -> int | None:
        """The pid of the process the firmware runs in (emulator, simulator, native build) while it
        runs, so waits can follow its progress (rig.progress); None for a board."""
        proc = getattr(self, "_proc", None)
        inner = getattr(proc, "proc", proc)  # a FirmwareProcess, or a Popen
        pid = getattr(inner, "pid", None)
        return pid if isinstance(pid, int) else None

    def progress_clock(self) -> ProgressClock:
        """What a wait for the firmware is charged with, made once start() has returned: by default
        the progress of its process (rig.progress); an emulator that can say how far its machine
        has come (Renode) charges that instead. The rig's own threads count as the target's (they
        serve its link: QEMU's bulk relay, say)."""
        return ProgressClock(self.pid, rig_threads=True)

    def link_broken(self) -> RigError | None:
        """Why the target itself ended its link, when it knows (QEMU's bulk relay could not write the bytes for
        the firmware to its file: a full file system), to be raised in place of the link's own error, which
        says only that the link closed; None otherwise. Asked before stop()."""
        return None

    def image(self) -> Path | None:
        """The firmware image (ELF) this target runs, for symbolizing a FAULT; None when unknown (host, board)."""
        return None

    def require(self) -> None:
        """Raise TargetUnavailable with the reason if the target cannot run here."""
        avail = self.usable()
        if not avail.ok:
            raise TargetUnavailable(f"target {self.name!r} is not available: {avail.reason}")
