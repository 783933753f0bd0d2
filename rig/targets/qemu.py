"""The qemu target: the STM32F4 ARM image, unchanged, under qemu-system-arm (netduinoplus2).

QEMU runs headless (no display, no monitor, nothing on stdio). USART2 of the
emulated STM32F405 is a TCP server on 127.0.0.1 that holds the core until the
rig connects (``wait=on``: no byte is lost), and the rig talks to it through a
pyserial ``socket://`` URL, as to a board behind ser2net.

Two ways to feed the link (``link=``, default from $STRIDELAB_QEMU_LINK, else "bulk"):

- ``"uart"``: every byte both ways through the emulated USART2, exactly as on
  the board. QEMU's USART model takes one received byte at a time (about
  17 kB/s), so a 416 Hz replay runs at about 3x real time.
- ``"bulk"`` (default): the bytes the rig sends are appended to a file in the
  run directory that the firmware reads with semihosting
  (firmware_c/ports/stm32f4/emu.c), the same frames through the same
  application code and analyzer; its answers go, one semihosting write per
  frame, to a FIFO in the run directory (QEMU's USART model costs a system call
  and a wake-up of its main loop per byte). A local relay does this behind the
  ``socket://`` URL, so sessions, captures and tests do not change; after each
  write it rings USART2 with one byte to wake the core, and when the rig closes
  the link it tells the firmware, which ends the emulation through semihosting.
  The fault handler still reports on USART2; the relay passes on what the FIFO
  holds first. Where no FIFO can be made, answers stay on USART2.

The image learns which paths it may use from a mailbox QEMU preloads at the top
of SRAM (``-device loader``); on a board that mailbox is never valid, so the
image flashed there is the very file QEMU runs.

Ports: the rig picks a free port, QEMU binds it (SO_REUSEADDR) and says so on
stderr; the rig connects only after reading that line from its own QEMU, and a
QEMU that lost the port to another process ("Address already in use") is
started again on a new one. Parallel pytest-xdist workers therefore never
share or steal a link.
"""

from __future__ import annotations

import os
import struct
import time
from dataclasses import dataclass
from pathlib import Path

from rig.build import (ARM_ELF, QEMU_DIR, arm_elf, arm_toolchain_missing, elf_symbols, missing_tools, qemu_cover_plugin,
                       qemu_plugin)
from rig.errors import CaptureError, RigError
from rig.progress import ProgressClock
from rig.targets.base import Availability, Target
from rig.targets.process import KILLED_BEFORE_STOP, FirmwareProcess, killed_by
from rig.targets.qemu_relay import BulkRelay
from rig.targets.sockets import free_port
from rig.tail import tail_bytes

QEMU = "qemu-system-arm"
APT_QEMU = "apt-get install qemu-system-arm"

MACHINE_CFG = QEMU_DIR / "netduinoplus2.cfg"

#: Mailbox layout and flags: stm32_emu_mailbox_t in firmware_c/ports/stm32f4/stm32f4_port.h.
MAILBOX_SYMBOL = "stm32_emu_mailbox"
MAILBOX_MAGIC = 0x4D454C53
MAILBOX_FORMAT = "<IIII240s"  # the path's 232 bytes, then the sensor words (zero here)
#: Bytes of rx_path in the mailbox, its NUL included.
MAILBOX_PATH_BYTES = 232
#: netduinoplus2's SYSCLK in QEMU: fixed, since QEMU models no RCC; SysTick counts it.
QEMU_CORE_HZ = 168_000_000
EMU_SEMIHOSTING = 1 << 0
EMU_BULK_RX = 1 << 1
EMU_FAULT_TEST_HANG = 1 << 2
#: STM32_EMU_SYNTH_SENSOR: no LSM6DSO in this machine, so live and raw mode read the synthetic sensor.
EMU_SYNTH_SENSOR = 1 << 4
#: STM32_EMU_BULK_TX: answers go to the FIFO whose path follows the input's in the mailbox.
EMU_BULK_TX = 1 << 5

#: Semihosting exit codes of the image (STM32_EXIT_* in stm32f4_port.h) and what they mean.
EXIT_MEANING = {
    0: "the firmware ended the emulation after the link closed",
    2: "the firmware ended the emulation on a link error",
    3: "the firmware faulted, sent FAULT and ended the emulation",
}

LISTEN_MARK = "QEMU waiting for connection on:"
PORT_IN_USE = "Address already in use"
PORT_ATTEMPTS = 8
RX_FILE = "link_rx.bin"
TX_FIFO = "link_tx.fifo"
#: Environment variable choosing the default link mode ("bulk" or "uart"), e.g. for a whole pytest run.
LINK_ENV = "STRIDELAB_QEMU_LINK"
#: The link modes, the default first.
LINKS = ("bulk", "uart")


def _link_from_env() -> str | None:
    """What $STRIDELAB_QEMU_LINK names, blanks stripped (None when unset or blank), not checked."""
    return os.environ.get(LINK_ENV, "").strip() or None


def _bad_link(link: str) -> str:
    """What is said of a $STRIDELAB_QEMU_LINK that names no link mode."""
    return (f"${LINK_ENV}={link!r} is not a link of the qemu target; set it to one of: {', '.join(LINKS)} "
            f"(default {LINKS[0]}), or unset it")


def mailbox_bytes(flags: int, rx_path: str = "", core_hz: int = QEMU_CORE_HZ, tx_path: str = "") -> bytes:
    """The mailbox the image reads at boot: magic, its complement, flags, the core clock
    QEMU runs SysTick from (Hz), the bulk input path and, with EMU_BULK_TX, the output path after it."""
    path = rx_path.encode()
    if len(path) >= MAILBOX_PATH_BYTES:
        raise RigError(f"the bulk input path {rx_path!r} is {len(path)} bytes; the mailbox holds "
                       f"{MAILBOX_PATH_BYTES - 1}: "
                       "use a shorter --runs-dir")
    if flags & EMU_BULK_TX:
        path += b"\0" + tx_path.encode()
        if len(path) >= MAILBOX_PATH_BYTES:
            raise RigError(f"the bulk input and output paths take {len(path) + 1} bytes; the mailbox holds "
                           f"{MAILBOX_PATH_BYTES}")
    return struct.pack(MAILBOX_FORMAT, MAILBOX_MAGIC, ~MAILBOX_MAGIC & 0xFFFFFFFF, flags, core_hz, path)


@dataclass(frozen=True)
class InsnCount:
    """Ask the TCG plugin to count instructions; with start and stops, also inside windows.

    A window opens when the block at `start` runs (a function's entry) and closes at
    any of `stops` (the instructions its calls return to).
    """

    start: int | None = None
    stops: tuple[int, ...] = ()

    def plugin_arg(self, plugin: Path, out: Path) -> str:
        """The value of QEMU's -plugin option."""
        arg = f"{plugin},out={out}"
        if self.start is not None:
            arg += f",start={self.start:#x}" + "".join(f",stop={s:#x}" for s in self.stops)
        return arg


@dataclass(frozen=True)
class InsnCounts:
    """What the plugin counted: every instruction, those inside windows, and how often a window opened."""

    total: int
    window: int
    windows: int


class QemuTarget(Target):
    """The STM32F4 image under qemu-system-arm's netduinoplus2; the link is a loopback socket whose bytes travel
    by semihosting (the bulk link, the default) or through USART2 (link "uart")."""

    name = "qemu"
    description = ("the STM32F4 ARM image under qemu-system-arm (netduinoplus2), link on a loopback socket: "
                   "semihosting by default, USART2 with STRIDELAB_QEMU_LINK=uart")

    def __init__(
        self,
        link: str | None = None,
        icount: bool = False,
        insn_count: InsnCount | None = None,
        fault_test_hangs: bool = False,
        startup_timeout_s: float = 10.0,
        end_timeout_s: float = 2.0,
        elf: Path | None = None,
        cover_out: Path | None = None,
        synth_sensor: bool = False,
    ) -> None:
        """link: "bulk" (fast) or "uart" (every byte through USART2, as on a board); default $STRIDELAB_QEMU_LINK or bulk.
        icount: deterministic guest time (-icount shift=0: one instruction per ns).
        insn_count: count instructions with the TCG plugin (results in insn_counts after stop()).
        fault_test_hangs: CMD FAULT_TEST makes the firmware hang instead of fault (hang tests).
        end_timeout_s: how long stop() waits for the firmware to end QEMU before killing it.
        elf: the image to run; default rig.build.arm_elf() (built and current).
        cover_out: write there, when QEMU ends, the address of every instruction that ran (a TCG plugin).
        synth_sensor: live and raw mode read the image's synthetic sensor (netduinoplus2 has no LSM6DSO).
        """
        self.synth_sensor = synth_sensor
        if link is None and _link_from_env() not in (None, *LINKS):
            # 'qemu target: link 'UART' (argument or $STRIDELAB_QEMU_LINK) is neither...', with no word of what to do
            raise RigError(_bad_link(os.environ[LINK_ENV]))
        link = link or _link_from_env() or LINKS[0]
        if link not in LINKS:
            raise RigError(f"qemu target: link {link!r} is neither 'bulk' nor 'uart'")
        self.link = link
        self.icount = icount
        self.insn_count = insn_count
        self.fault_test_hangs = fault_test_hangs
        self.startup_timeout_s = startup_timeout_s
        self.end_timeout_s = end_timeout_s
        self.elf = elf
        self.cover_out = cover_out
        self._proc: FirmwareProcess | None = None
        self._relay: BulkRelay | None = None
        self._counts_file: Path | None = None
        self._mailbox_addr = 0
        #: How a QEMU that a signal interrupted while it started was stopped (stop() says it).
        self._stopped_starting = ""
        #: Seconds from launching QEMU to its USART2 listening (after the image was built).
        self.launch_s: float | None = None
        #: QEMU's exit status once stop() has run.
        self.exit_status: int | None = None
        #: What the plugin counted, once stop() has run (None without insn_count).
        self.insn_counts: InsnCounts | None = None

    @classmethod
    def availability(cls) -> Availability:
        """Available when $STRIDELAB_QEMU_LINK names a link mode (or is unset), and qemu-system-arm and the ARM
        toolchain with newlib-nano that builds the image are installed (rig list said 'available' for a link
        mode every run then refused)."""
        if _link_from_env() not in (None, *LINKS):
            return Availability(False, _bad_link(os.environ[LINK_ENV]))
        if missing_tools(QEMU):
            return Availability(False, f"{QEMU} not installed: {APT_QEMU}")
        why = arm_toolchain_missing()
        return Availability(False, why) if why else Availability(True)

    def image(self) -> Path | None:
        """The ELF it runs: the one given, else the project's ARM image once built."""
        return self.elf or (ARM_ELF if ARM_ELF.is_file() else None)

    # -- start -------------------------------------------------------------
    def _argv(self, elf: Path, port: int, mailbox: Path, plugin: Path | None) -> list[str]:
        argv = [
            QEMU, "-readconfig", str(MACHINE_CFG), "-nodefaults", "-display", "none", "-monitor", "none",
            "-semihosting-config", "enable=on,target=native",
            "-serial", "null", "-serial", f"tcp:127.0.0.1:{port},server=on,wait=on,nodelay=on",
            "-kernel", str(elf),
            "-device", f"loader,file={mailbox},addr={self._mailbox_addr:#x},force-raw=on",
        ]
        if self.icount:
            argv += ["-icount", "shift=0"]
        if self.insn_count is not None:
            assert self._counts_file is not None and plugin is not None
            argv += ["-plugin", self.insn_count.plugin_arg(plugin, self._counts_file)]
        if self.cover_out is not None:
            argv += ["-plugin", f"{qemu_cover_plugin()},out={self.cover_out.resolve()}"]
        return argv

    def _launch(self, elf: Path, mailbox: Path, plugin: Path | None, log: Path) -> tuple[FirmwareProcess, int]:
        """Start QEMU on a free port; retry on a port lost to a race. Returns (process, port)."""
        tried: list[int] = []
        for _ in range(PORT_ATTEMPTS):
            port = free_port()
            tried.append(port)
            t0 = time.monotonic()
            proc = FirmwareProcess(self._argv(elf, port, mailbox, plugin), log)
            try:
                listening = self._await_listen(proc, port, log)
            except BaseException as exc:
                # a signal (or an error) while QEMU starts: stop() cannot see this process yet, so it
                # is stopped here; left, it would wait for its link for ever after the rig is gone
                how = proc.stop()
                if not isinstance(exc, RigError):  # a RigError says how QEMU ended itself
                    self._stopped_starting = f"qemu was stopped while starting ({type(exc).__name__}): {how}"
                raise
            if listening:
                self.launch_s = time.monotonic() - t0
                return proc, port
            proc.stop()
        raise RigError(f"{QEMU} could not bind a link port after {PORT_ATTEMPTS} tries "
                       f"({', '.join(map(str, tried))} were taken); stderr in {log}")

    def _await_listen(self, proc: FirmwareProcess, port: int, log: Path) -> bool:
        """True once this QEMU listens on port; False if it lost the port; raises on other failures."""
        mark = f"tcp:127.0.0.1:{port},"
        clock = ProgressClock(lambda: proc.proc.pid)  # charged QEMU's own progress, not the host's load
        clock.start()
        while clock.charged() < self.startup_timeout_s:
            status = proc.proc.poll()
            text = log.read_text(errors="replace")
            if LISTEN_MARK in text and mark in text:
                return True
            if status is not None:
                if PORT_IN_USE in text:
                    return False
                how = proc.stop()
                raise RigError(f"{QEMU} failed to start: {how}\n  stderr: {text.strip()[-2000:]}\n"
                               f"  command: {' '.join(proc.argv)}")
            time.sleep(0.002)
        how = proc.stop()
        raise RigError(f"{QEMU} did not open its link port {port} within {self.startup_timeout_s:g} s "
                       f"({clock.describe()}; {how}); "
                       f"stderr: {proc.stderr_tail()}")

    def start(self, run_dir: Path) -> str:
        """Write the image's boot mailbox and launch QEMU on it; return the socket:// URL of the link.

        The URL is USART2's loopback port with link="uart", the bulk relay's port with link="bulk".
        """
        self.require()
        elf = self.elf or arm_elf()
        addr = elf_symbols(elf).get(MAILBOX_SYMBOL)
        if addr is None:
            raise RigError(f"{elf} has no symbol {MAILBOX_SYMBOL}: is it the STM32F4 image?")
        self._mailbox_addr = addr
        run_dir.mkdir(parents=True, exist_ok=True)
        flags = EMU_SEMIHOSTING | (EMU_FAULT_TEST_HANG if self.fault_test_hangs else 0)
        flags |= EMU_SYNTH_SENSOR if self.synth_sensor else 0
        rx_path = tx_path = ""
        tx_fifo: Path | None = None
        mailbox = run_dir / "qemu-mailbox.bin"
        writing = run_dir / RX_FILE
        try:
            if self.link == "bulk":
                rx_file = writing.resolve()
                rx_file.write_bytes(b"")
                rx_path = str(rx_file)
                flags |= EMU_BULK_RX
                tx_fifo = self._make_fifo((run_dir / TX_FIFO).resolve(), len(rx_path.encode()))
                if tx_fifo is not None:
                    tx_path = str(tx_fifo)
                    flags |= EMU_BULK_TX
            writing = mailbox
            mailbox.write_bytes(mailbox_bytes(flags, rx_path, tx_path=tx_path))
        except OSError as exc:
            # a full file system: '[Errno 28] No space left on device' named no file, and the output FIFO
            # stayed in the run directory, where whatever opens it to read (an archiver, a copy) hangs
            if tx_fifo is not None:
                tx_fifo.unlink(missing_ok=True)
            raise CaptureError.writing(writing, exc) from None
        plugin = None
        if self.insn_count is not None:
            plugin = qemu_plugin()
            self._counts_file = (run_dir / "insn_count.txt").resolve()
            self._counts_file.unlink(missing_ok=True)
        self.exit_status = None
        self.insn_counts = None
        self._stopped_starting = ""
        self._proc, port = self._launch(elf, mailbox, plugin, run_dir / "target.log")
        if self.link == "uart":
            return f"socket://127.0.0.1:{port}"
        self._relay = BulkRelay(port, Path(rx_path), self.startup_timeout_s, tx_fifo)
        return f"socket://127.0.0.1:{self._relay.port}"

    @staticmethod
    def _make_fifo(path: Path, rx_path_bytes: int) -> Path | None:
        """A FIFO for the bulk output at path, or None (answers then stay on USART2): where the
        file system has no FIFOs, or both paths would not fit the mailbox."""
        if rx_path_bytes + 1 + len(str(path).encode()) >= MAILBOX_PATH_BYTES:
            return None
        try:
            path.unlink(missing_ok=True)
            os.mkfifo(path)
        except (OSError, AttributeError):  # AttributeError: no os.mkfifo on this system
            return None
        return path

    # -- stop --------------------------------------------------------------
    def link_broken(self) -> RigError | None:
        """The bulk relay's failed write of the bytes for the firmware (a full file system), which closed the link."""
        return self._relay.capture_error if self._relay is not None else None

    def stop(self) -> str:
        """End QEMU: in bulk mode wait up to end_timeout_s seconds (charged QEMU's progress, rig.progress)
        for the firmware to exit, else terminate it.

        Sets exit_status and insn_counts; returns how QEMU ended and what its status means, with its stderr on failure.
        """
        if self._proc is None:
            stopped, self._stopped_starting = self._stopped_starting, ""
            return stopped or "qemu was not started"
        proc, self._proc = self._proc, None
        relay, self._relay = self._relay, None
        status = proc.proc.poll()
        waited = ""
        never_linked = relay is not None and not relay.rig_came(self.startup_timeout_s)
        if status is None and self.link == "bulk" and not never_linked:
            # The link is closed: the relay told the firmware, which ends the emulation.
            # (Nobody ever connected: QEMU still holds the core, nothing to wait for.)
            # charged QEMU's own progress: on a busy host the firmware is not hung, only slow to end
            clock = ProgressClock(lambda: proc.proc.pid)
            clock.start()
            while (status := proc.proc.poll()) is None and clock.charged() < self.end_timeout_s:
                time.sleep(0.005)
            if status is None:
                waited = (f"the firmware did not end within {self.end_timeout_s:g} s of the link closing "
                          f"({clock.describe()}); ")
        if relay is not None:
            relay.close()
        if status is None:
            how = proc.stop()
            status = proc.proc.returncode
            why = (" (nothing ever connected to the link: the core had not started)" if never_linked
                   else " (a UART cannot tell the firmware the link closed)")
            account = f"{waited}{how}" + ("" if waited else why)
        else:
            proc.stop()
            signalled = killed_by(status)  # -9 read 'QEMU failed', as if QEMU had ended by itself
            meaning = EXIT_MEANING.get(status, f"{signalled} {KILLED_BEFORE_STOP}" if signalled else "QEMU failed")
            account = f"{QEMU} exited with status {status}: {meaning}"
        self.exit_status = status
        if relay is not None and relay.error:
            account += f"; relay: {relay.error}"
        if (status not in (0, 3) or waited) and not never_linked:
            stderr = tail_bytes(proc.log_path, 2000).decode(errors="replace").strip()
            account += f"\n  QEMU stderr ({proc.log_path}): {stderr or '(empty)'}"
        self.insn_counts = self._read_counts()
        return account

    def _read_counts(self) -> InsnCounts | None:
        if self._counts_file is None:
            return None
        try:
            fields = dict(item.split("=") for item in self._counts_file.read_text().split())
            return InsnCounts(int(fields["total"]), int(fields["window"]), int(fields["windows"]))
        except (OSError, ValueError, KeyError):
            return None

