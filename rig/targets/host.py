"""The host target: the firmware's native build, its link on a pseudo-terminal."""

from __future__ import annotations

from pathlib import Path

from rig.build import host_binary, missing_tools
from rig.targets.base import Availability, Target
from rig.targets.process import FirmwareProcess


class HostTarget(Target):
    """Native build of the firmware sources (ports/host), talking over a pty."""

    name = "host"
    description = "native build of the firmware, link on a pseudo-terminal"

    def __init__(self, startup_timeout_s: float = 10.0, tcp: bool = False, binary: Path | None = None,
                 synth_sensor: bool = False) -> None:
        """binary: the native firmware to run; default rig.build.host_binary() (built and current).
        synth_sensor: give the firmware the synthetic sensor (--sensor synth) for live and raw mode."""
        self.binary = binary
        self.synth_sensor = synth_sensor
        self.startup_timeout_s = startup_timeout_s
        self.tcp = tcp
        self._proc: FirmwareProcess | None = None

    @classmethod
    def availability(cls) -> Availability:
        """Available when make and cc are on PATH to build the native firmware."""
        missing = missing_tools("make", "cc")
        if missing:
            return Availability(False, f"{', '.join(missing)} not installed: apt-get install build-essential")
        return Availability(True)

    def start(self, run_dir: Path) -> str:
        """Start the native firmware on a pseudo-terminal; return its device path as the link URL.

        With tcp=True it serves a loopback TCP port instead and the URL is socket://127.0.0.1:PORT.
        Raises RigError if the firmware announces no link within startup_timeout_s seconds.
        """
        self.require()
        binary = self.binary or host_binary()
        argv = [str(binary), "--tcp", "0"] if self.tcp else [str(binary), "--pty"]
        if self.synth_sensor:
            argv += ["--sensor", "synth"]
        self._proc = FirmwareProcess(argv, run_dir / "target.log")
        if self.tcp:
            return "socket://" + self._proc.read_line("TCP ", self.startup_timeout_s)
        return self._proc.read_line("PTY ", self.startup_timeout_s)

    def stop(self) -> str:
        """Terminate the native firmware process (killing it after 3 s); return how it ended."""
        if self._proc is None:
            return "host firmware was not started"
        how = self._proc.stop()
        self._proc = None
        return how
