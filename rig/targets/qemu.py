"""The qemu target: the STM32F4 ARM image, unchanged, under qemu-system-arm (netduinoplus2).

QEMU runs headless (no display, no monitor, nothing on stdio). USART2 of the
emulated STM32F405 is a TCP server on 127.0.0.1 that holds the core until the
rig connects (``wait=on``: no byte is lost), and the rig talks to it through a
pyserial ``socket://`` URL, as to a board behind ser2net.

Two ways to feed the link (``link=``, default from $STRIDELAB_QEMU_LINK, else "bulk"):

- ``"uart"``: every byte both ways through the emulated USART2, exactly as on
  the board. QEMU's USART model takes one received byte at a time (about
  17 kB/s), so a 416 Hz replay runs at about 3x real time.
- ``"bulk"`` (default): answers still come out of USART2, but the bytes the rig
  sends are appended to a file in the run directory that the firmware reads
  with semihosting (firmware_c/ports/stm32f4/emu.c), the same frames through
  the same application code and analyzer. A local relay does this behind the
  ``socket://`` URL, so sessions, captures and tests do not change; after each
  write it rings USART2 with one byte to wake the core, and when the rig closes
  the link it tells the firmware, which ends the emulation through semihosting.

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
import selectors
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rig.errors import RigError, TargetUnavailable
from rig.targets.base import BUILD_DIR, REPO, Availability, Target, make, missing_tools
from rig.targets.process import FirmwareProcess

QEMU = "qemu-system-arm"
ARM_GCC = "arm-none-eabi-gcc"
ARM_NM = "arm-none-eabi-nm"
ARM_OBJDUMP = "arm-none-eabi-objdump"
APT_QEMU = "apt-get install qemu-system-arm"
APT_ARM = "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi"

ELF = BUILD_DIR / "arm" / "stridelab-fw.elf"
QEMU_DIR = REPO / "emulated_chip" / "qemu"
MACHINE_CFG = QEMU_DIR / "netduinoplus2.cfg"
PLUGIN = BUILD_DIR / "qemu-plugin" / "insn_count.so"

#: Mailbox layout and flags: stm32_emu_mailbox_t in firmware_c/ports/stm32f4/stm32f4_port.h.
MAILBOX_SYMBOL = "stm32_emu_mailbox"
MAILBOX_MAGIC = 0x4D454C53
MAILBOX_FORMAT = "<IIII240s"
#: netduinoplus2's SYSCLK in QEMU: fixed, since QEMU models no RCC; SysTick counts it.
QEMU_CORE_HZ = 168_000_000
EMU_SEMIHOSTING = 1 << 0
EMU_BULK_RX = 1 << 1
EMU_FAULT_TEST_HANG = 1 << 2
DOORBELL = b"\x00"
LINK_CLOSED = b"\x04"

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
#: Environment variable choosing the default link mode ("bulk" or "uart"), e.g. for a whole pytest run.
LINK_ENV = "STRIDELAB_QEMU_LINK"


def _free_port() -> int:
    """A port nobody listens on right now (QEMU may still lose it to a race: see _launch)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def elf_symbols(elf: Path) -> dict[str, int]:
    """Addresses of the global and local symbols of an ARM ELF (arm-none-eabi-nm)."""
    try:
        out = subprocess.run([ARM_NM, str(elf)], capture_output=True, text=True, timeout=30, check=True).stdout
    except FileNotFoundError:
        raise TargetUnavailable(f"{ARM_NM} is not installed: {APT_ARM}") from None
    except subprocess.CalledProcessError as exc:
        raise RigError(f"{ARM_NM} {elf} failed: {exc.stderr.strip()}") from None
    symbols: dict[str, int] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            symbols[parts[2]] = int(parts[0], 16)
    return symbols


def mailbox_bytes(flags: int, rx_path: str = "", core_hz: int = QEMU_CORE_HZ) -> bytes:
    """The mailbox the image reads at boot: magic, its complement, flags, the core clock
    QEMU runs SysTick from (Hz), the bulk input path."""
    path = rx_path.encode()
    if len(path) >= 240:
        raise RigError(f"the bulk input path {rx_path!r} is {len(path)} bytes; the mailbox holds 239: "
                       "use a shorter --runs-dir")
    return struct.pack(MAILBOX_FORMAT, MAILBOX_MAGIC, ~MAILBOX_MAGIC & 0xFFFFFFFF, flags, core_hz, path)


def build_image() -> Path:
    """Build the STM32F4 image (`make -C firmware_c arm`); return the ELF."""
    return make("arm", ELF)


def build_plugin(timeout_s: float = 120.0) -> Path:
    """Build the instruction-counting TCG plugin from source with the host compiler; return the .so."""
    return make("all", PLUGIN, timeout_s, directory=QEMU_DIR, args=(f"BUILD={PLUGIN.parent}",),
                what="the QEMU plugin")


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


class _BulkRelay:
    """The `socket://` endpoint of bulk mode.

    Bytes from the rig are appended to the bulk input file, then one doorbell
    byte goes to USART2; bytes from USART2 go back to the rig unchanged. When
    the rig closes its side, LINK_CLOSED goes to USART2 and the relay keeps
    forwarding until QEMU closes (the firmware ends the emulation).
    """

    def __init__(self, qemu_port: int, rx_file: Path, accept_timeout_s: float) -> None:
        self.qemu_port = qemu_port
        self.rx_file = rx_file
        self.accept_timeout_s = accept_timeout_s
        self.error: str | None = None
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"qemu-bulk-relay-{self.port}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._server.settimeout(self.accept_timeout_s)
            client, _ = self._server.accept()
        except OSError as exc:
            if not self._stop.is_set():
                self.error = f"nobody connected to the link within {self.accept_timeout_s:g} s ({exc})"
            return
        finally:
            self._server.close()
        try:
            qemu = socket.create_connection(("127.0.0.1", self.qemu_port), timeout=5.0)
        except OSError as exc:
            self.error = f"cannot connect to QEMU's USART2 on port {self.qemu_port}: {exc}"
            client.close()
            return
        with client, qemu, open(self.rx_file, "ab", buffering=0) as rx:
            for s in (client, qemu):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                s.setblocking(True)
            try:
                self._pump(client, qemu, rx)
            except OSError as exc:
                if not self._stop.is_set():
                    self.error = f"relay between the rig and QEMU failed: {exc}"

    def _pump(self, client: socket.socket, qemu: socket.socket, rx: IO[bytes]) -> None:
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ)
        sel.register(qemu, selectors.EVENT_READ)
        try:
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.1):
                    if key.fileobj is client:
                        data = client.recv(65536)
                        if data:
                            rx.write(data)  # unbuffered: in the file before the doorbell rings
                            qemu.sendall(DOORBELL)
                        else:
                            sel.unregister(client)
                            qemu.sendall(LINK_CLOSED)
                    else:
                        data = qemu.recv(65536)
                        if not data:
                            return  # QEMU ended: the rig sees the end of its link
                        try:
                            client.sendall(data)
                        except OSError:
                            pass  # the rig has gone; keep draining until QEMU ends
        finally:
            sel.close()

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop relaying (waits at most timeout_s for the thread)."""
        self._stop.set()
        try:
            self._server.close()
        except OSError:
            pass
        self._thread.join(timeout_s)


class QemuTarget(Target):
    """The STM32F4 image under qemu-system-arm's netduinoplus2, link on USART2 over loopback TCP."""

    name = "qemu"
    description = "the STM32F4 ARM image under qemu-system-arm (netduinoplus2), link on USART2 over TCP"

    def __init__(
        self,
        link: str | None = None,
        icount: bool = False,
        insn_count: InsnCount | None = None,
        fault_test_hangs: bool = False,
        startup_timeout_s: float = 10.0,
        end_timeout_s: float = 2.0,
    ) -> None:
        """link: "bulk" (fast) or "uart" (every byte through USART2, as on a board); default $STRIDELAB_QEMU_LINK or bulk.
        icount: deterministic guest time (-icount shift=0: one instruction per ns).
        insn_count: count instructions with the TCG plugin (results in insn_counts after stop()).
        fault_test_hangs: CMD FAULT_TEST makes the firmware hang instead of fault (hang tests).
        end_timeout_s: how long stop() waits for the firmware to end QEMU before killing it.
        """
        link = link or os.environ.get(LINK_ENV) or "bulk"
        if link not in ("bulk", "uart"):
            raise RigError(f"qemu target: link {link!r} (argument or ${LINK_ENV}) is neither 'bulk' nor 'uart'")
        self.link = link
        self.icount = icount
        self.insn_count = insn_count
        self.fault_test_hangs = fault_test_hangs
        self.startup_timeout_s = startup_timeout_s
        self.end_timeout_s = end_timeout_s
        self._proc: FirmwareProcess | None = None
        self._relay: _BulkRelay | None = None
        self._counts_file: Path | None = None
        self._mailbox_addr = 0
        #: Seconds from launching QEMU to its USART2 listening (after the image was built).
        self.launch_s: float | None = None
        #: QEMU's exit status once stop() has run.
        self.exit_status: int | None = None
        #: What the plugin counted, once stop() has run (None without insn_count).
        self.insn_counts: InsnCounts | None = None

    @classmethod
    def availability(cls) -> Availability:
        """Available when qemu-system-arm, arm-none-eabi-gcc with newlib-nano, arm-none-eabi-nm and make are installed."""
        missing = missing_tools(QEMU)
        if missing:
            return Availability(False, f"{QEMU} not installed: {APT_QEMU}")
        missing = missing_tools(ARM_GCC, ARM_NM, "make")
        if missing:
            return Availability(False, f"{', '.join(missing)} not installed: {APT_ARM} make")
        try:
            libc = subprocess.run([ARM_GCC, "--specs=nano.specs", "-print-file-name=libc_nano.a"],
                                  capture_output=True, text=True, timeout=10, check=False).stdout.strip()
        except (OSError, subprocess.TimeoutExpired) as exc:
            return Availability(False, f"{ARM_GCC} does not run ({exc}): {APT_ARM}")
        if not os.path.isabs(libc):
            return Availability(False, f"newlib-nano for {ARM_GCC} is missing: {APT_ARM}")
        return Availability(True)

    # -- start -------------------------------------------------------------
    def _argv(self, elf: Path, port: int, mailbox: Path) -> list[str]:
        argv = [
            QEMU, "-readconfig", str(MACHINE_CFG), "-nodefaults", "-display", "none", "-monitor", "none",
            "-semihosting-config", "enable=on,target=native",
            "-serial", "null", "-serial", f"tcp:127.0.0.1:{port},server=on,wait=on",
            "-kernel", str(elf),
            "-device", f"loader,file={mailbox},addr={self._mailbox_addr:#x},force-raw=on",
        ]
        if self.icount:
            argv += ["-icount", "shift=0"]
        if self.insn_count is not None:
            assert self._counts_file is not None
            argv += ["-plugin", self.insn_count.plugin_arg(PLUGIN, self._counts_file)]
        return argv

    def _launch(self, elf: Path, mailbox: Path, log: Path) -> tuple[FirmwareProcess, int]:
        """Start QEMU on a free port; retry on a port lost to a race. Returns (process, port)."""
        tried: list[int] = []
        for _ in range(PORT_ATTEMPTS):
            port = _free_port()
            tried.append(port)
            t0 = time.monotonic()
            proc = FirmwareProcess(self._argv(elf, port, mailbox), log)
            if self._await_listen(proc, port, log):
                self.launch_s = time.monotonic() - t0
                return proc, port
            proc.stop()
        raise RigError(f"{QEMU} could not bind a link port after {PORT_ATTEMPTS} tries "
                       f"({', '.join(map(str, tried))} were taken); stderr in {log}")

    def _await_listen(self, proc: FirmwareProcess, port: int, log: Path) -> bool:
        """True once this QEMU listens on port; False if it lost the port; raises on other failures."""
        mark = f"tcp:127.0.0.1:{port},"
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
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
        raise RigError(f"{QEMU} did not open its link port {port} within {self.startup_timeout_s:g} s ({how}); "
                       f"stderr: {proc.stderr_tail()}")

    def start(self, run_dir: Path) -> str:
        """Build the image, write its boot mailbox and launch QEMU; return the socket:// URL of the link.

        The URL is USART2's loopback port with link="uart", the bulk relay's port with link="bulk".
        """
        self.require()
        elf = build_image()
        addr = elf_symbols(elf).get(MAILBOX_SYMBOL)
        if addr is None:
            raise RigError(f"{elf} has no symbol {MAILBOX_SYMBOL}: is it the STM32F4 image?")
        self._mailbox_addr = addr
        run_dir.mkdir(parents=True, exist_ok=True)
        flags = EMU_SEMIHOSTING | (EMU_FAULT_TEST_HANG if self.fault_test_hangs else 0)
        rx_path = ""
        if self.link == "bulk":
            rx_file = (run_dir / RX_FILE).resolve()
            rx_file.write_bytes(b"")
            rx_path = str(rx_file)
            flags |= EMU_BULK_RX
        mailbox = run_dir / "qemu-mailbox.bin"
        mailbox.write_bytes(mailbox_bytes(flags, rx_path))
        if self.insn_count is not None:
            build_plugin()
            self._counts_file = (run_dir / "insn_count.txt").resolve()
            self._counts_file.unlink(missing_ok=True)
        self.exit_status = None
        self.insn_counts = None
        self._proc, port = self._launch(elf, mailbox, run_dir / "target.log")
        if self.link == "uart":
            return f"socket://127.0.0.1:{port}"
        self._relay = _BulkRelay(port, Path(rx_path), self.startup_timeout_s)
        return f"socket://127.0.0.1:{self._relay.port}"

    # -- stop --------------------------------------------------------------
    def stop(self) -> str:
        """End QEMU: in bulk mode wait up to end_timeout_s seconds for the firmware to exit, else terminate it.

        Sets exit_status and insn_counts; returns how QEMU ended and what its status means, with its stderr on failure.
        """
        if self._proc is None:
            return "qemu was not started"
        proc, self._proc = self._proc, None
        relay, self._relay = self._relay, None
        status = proc.proc.poll()
        waited = ""
        if status is None and self.link == "bulk":
            # The link is closed: the relay told the firmware, which ends the emulation.
            try:
                status = proc.proc.wait(self.end_timeout_s)
            except subprocess.TimeoutExpired:
                waited = f"the firmware did not end within {self.end_timeout_s:g} s of the link closing; "
        if relay is not None:
            relay.close()
        if status is None:
            how = proc.stop()
            status = proc.proc.returncode
            account = f"{waited}{how}" + ("" if waited else " (a UART cannot tell the firmware the link closed)")
        else:
            proc.stop()
            meaning = EXIT_MEANING.get(status, "QEMU failed")
            account = f"{QEMU} exited with status {status}: {meaning}"
        self.exit_status = status
        if relay is not None and relay.error:
            account += f"; relay: {relay.error}"
        if status not in (0, 3) or waited:
            stderr = proc.log_path.read_bytes()[-2000:].decode(errors="replace").strip()
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


def disassembly(elf: Path) -> Iterator[str]:
    """Lines of `arm-none-eabi-objdump -d` of the image."""
    try:
        out = subprocess.run([ARM_OBJDUMP, "-d", "--no-show-raw-insn", str(elf)], capture_output=True, text=True,
                             timeout=60, check=True).stdout
    except FileNotFoundError:
        raise TargetUnavailable(f"{ARM_OBJDUMP} is not installed: {APT_ARM}") from None
    except subprocess.CalledProcessError as exc:
        raise RigError(f"{ARM_OBJDUMP} -d {elf} failed: {exc.stderr.strip()}") from None
    yield from out.splitlines()
