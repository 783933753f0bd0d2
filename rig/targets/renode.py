"""The renode target: the same STM32F4 image under the Renode emulator, link on USART2 over a server socket.

Renode is in no package registry this project installs from, so the target
detects it: `renode` on PATH, or the executable named by $STRIDELAB_RENODE
(for example the one `renode-run download` unpacked). Without it the target is
unavailable and says how to install it.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from rig.build import REPO, arm_elf, arm_toolchain_missing
from rig.errors import RigError
from rig.targets.base import Availability, Target
from rig.targets.process import FirmwareProcess
from rig.targets.sockets import free_port, process_listens

RENODE_ENV = "STRIDELAB_RENODE"
PLATFORM = REPO / "emulated_chip" / "renode" / "stridelab_f4.repl"
INSTALL_HINT = (
    "Renode is not installed: install the Renode package from https://github.com/renode/renode/releases "
    f"(renode_<version>_amd64.deb), or `pip install renode-run && renode-run download` and set {RENODE_ENV} "
    "to the renode executable it unpacked"
)


def renode_executable() -> str | None:
    """The Renode executable to run, or None if there is none."""
    named = os.environ.get(RENODE_ENV)
    if named:
        return named if os.access(named, os.X_OK) else None
    return shutil.which("renode")


def script(elf: Path, port: int) -> str:
    """The Renode monitor script that loads the platform and image and serves USART2 on port."""
    return "\n".join([
        'mach create "shoe"',
        f"machine LoadPlatformDescription @{PLATFORM}",
        f'emulation CreateServerSocketTerminal {port} "link" false',
        "connector Connect sysbus.usart2 link",
        f"sysbus LoadELF @{elf}",
        # Run as fast as the host allows: guest time does not wait for wall time.
        "emulation SetGlobalAdvanceImmediately true",
        "start",
        "",
    ])


class RenodeTarget(Target):
    """The STM32F4 image under Renode; the rig talks to USART2 through `socket://`."""

    name = "renode"
    description = "the STM32F4 ARM image under Renode, link on USART2 over a server socket"

    def __init__(self, startup_timeout_s: float = 60.0, elf: Path | None = None) -> None:
        """elf: the image to run; default rig.build.arm_elf() (built and current)."""
        self.startup_timeout_s = startup_timeout_s
        self.elf = elf
        self._proc: FirmwareProcess | None = None

    @classmethod
    def availability(cls) -> Availability:
        """Available when a Renode executable is found and the ARM toolchain that builds the image is installed."""
        if renode_executable() is None:
            return Availability(False, INSTALL_HINT)
        why = arm_toolchain_missing()  # the ARM toolchain builds the image
        return Availability(False, why) if why else Availability(True)

    def start(self, run_dir: Path) -> str:
        """Run the STM32F4 image under Renode; return the socket:// URL of USART2 once Renode serves it.

        Raises RigError if Renode exits first or does not listen within startup_timeout_s seconds.
        """
        self.require()
        exe = renode_executable()
        assert exe is not None
        elf = self.elf or arm_elf()
        port = free_port()
        resc = run_dir / "stridelab.resc"
        resc.write_text(script(elf, port))
        self._proc = FirmwareProcess([exe, "--disable-gui", "--plain", "--hide-log", "-e", f"include @{resc}"],
                                     run_dir / "target.log")
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._proc.proc.poll() is not None:
                raise RigError(f"renode exited with status {self._proc.proc.returncode} before serving USART2: "
                               f"{self._proc.stderr_tail()}")
            if process_listens(self._proc.proc.pid, port):
                return f"socket://127.0.0.1:{port}"
            time.sleep(0.2)
        raise RigError(f"renode did not serve USART2 on port {port} within {self.startup_timeout_s:g} s; "
                       f"see {run_dir / 'target.log'}")

    def stop(self) -> str:
        """Terminate Renode (killing it after 3 s); return how it ended."""
        if self._proc is None:
            return "renode was not started"
        how = self._proc.stop()
        self._proc = None
        return how
