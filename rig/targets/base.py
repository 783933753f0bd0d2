"""What every target is: a place the firmware runs, reachable through a pyserial URL."""

from __future__ import annotations

import abc
import fcntl
import os
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Iterator

from rig.errors import RigError, TargetUnavailable

if False:  # pragma: no cover - for type checkers only
    from rig.inject import RawStream

REPO = Path(__file__).resolve().parents[2]
FIRMWARE_DIR = REPO / "firmware_c"
BUILD_DIR = FIRMWARE_DIR / "build"


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
        """Give a sensor-fed target its samples; return the wall time the run may take, s."""
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

    def require(self) -> None:
        """Raise TargetUnavailable with the reason if the target cannot run here."""
        avail = self.availability()
        if not avail.ok:
            raise TargetUnavailable(f"target {self.name!r} is not available: {avail.reason}")


def process_listens(pid: int, port: int) -> bool:
    """True when process pid has a TCP socket listening on port (Linux /proc).

    Checking the owner, rather than connecting to the port, never steals a
    connection from whoever really serves it, and never mistakes another
    process that took the port for the one we started.
    """
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # 0A: LISTEN
                inodes.add(fields[9])
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:[") and link[8:-1] in inodes:
            return True
    return False


def missing_tools(*tools: str) -> list[str]:
    """The tools among `tools` that are not on PATH."""
    return [t for t in tools if shutil.which(t) is None]


@contextmanager
def build_lock() -> Iterator[None]:
    """Serialize firmware builds between parallel test workers."""
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    with open(BUILD_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def make(goal: str, product: Path, timeout_s: float = 300.0, *, directory: Path = FIRMWARE_DIR,
         args: tuple[str, ...] = (), what: str = "the firmware") -> Path:
    """Run `make -C DIRECTORY [ARGS] GOAL` under the build lock (a no-op when up to date); return product.

    Raises RigError with the command and its output when the build fails or product is missing.
    """
    cmd = ["make", "-s", "-C", str(directory), *args, goal]
    with build_lock():
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        except FileNotFoundError:
            raise TargetUnavailable("`make` is not installed: apt-get install make gcc") from None
        except subprocess.TimeoutExpired:
            raise RigError(f"building {what} (`{' '.join(cmd)}`) took over {timeout_s:g} s") from None
    if proc.returncode != 0 or not product.exists():
        raise RigError(f"building {what} failed: `{' '.join(cmd)}` exited {proc.returncode}\n{proc.stderr[-3000:]}")
    return product
