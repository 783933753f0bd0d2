"""The renode target: the same STM32F4 image under the Renode emulator, link on USART2 over a pseudo-terminal.

Two modes ($STRIDELAB_RENODE_MODE, or ``mode=``):

- ``sensor`` (default): sensor-fed, like the cocotb target. The scenario goes in as
  RESD (:mod:`frame_spec.resd`) for Renode's ``Sensors.LSM6DSO_IMU`` on SPI1; the
  image finds the sensor by probing, reads it through the real driver, and its
  STRIDE frames come out of USART2. The sensor is started in step with the
  firmware: the image holds its FIFO empty once CONFIG put it in live mode and says
  so in its emulator mailbox; the rig then pauses the emulation, starts the FIFO
  and both RESD feeds at the same virtual instant, writes the stream's length into
  the mailbox and resumes, so the firmware's sample 0 is the recording's sample 0
  and it sends SUMMARY after the last one.
- ``replay``: the samples travel in SAMPLE_BATCH frames over the emulated UART, as
  on every other target.

Renode is in no package registry this project installs from, so the target
detects it: the executable named by $STRIDELAB_RENODE, else ``renode`` on PATH.
Every way Renode is installed works: the .deb's launcher and a source tree's
``renode`` script (both start mono as a child), the portable .NET build's
``renode``. The rig drives Renode's monitor over its standard input and output
(``--console``): no monitor socket is opened. Renode runs in a process group of
its own, with a TMPDIR of the run's own (Renode deletes other instances'
``$TMPDIR/renode-*`` at start-up), and the whole group is stopped on every exit
path. Its log goes to ``target.log`` in the run directory (``logFile``), the
monitor's transcript to ``renode-monitor.log``.

USART2 is served on a pseudo-terminal (``emulation CreateUartPtyTerminal``),
linked as ``usart2`` in the run directory: Renode opens no socket at all. (Its
``CreateServerSocketTerminal`` would listen on every interface: up to 1.16 its
``SocketServerProvider`` binds ``IPAddress.Any`` and takes no address.) The
emulation starts once the rig has opened that link, as QEMU's ``wait=on`` does,
so the boot HELLO is in the capture.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

from rig.build import ARM_ELF, REPO, arm_elf, arm_toolchain_missing, elf_symbols
from rig.errors import RigError
from rig.progress import ProgressClock
from rig.targets.base import Availability, Target
from rig.targets.parent_death import signals_at_default
from rig.targets.renode_progress import EmulatedProgress, RenodeClock
from rig.targets.sockets import listening_sockets, socket_inodes

if False:  # pragma: no cover - for type checkers only
    from rig.inject import RawStream

RENODE_ENV = "STRIDELAB_RENODE"
MODE_ENV = "STRIDELAB_RENODE_MODE"
MODES = ("sensor", "replay")
PLATFORM = REPO / "emulated_chip" / "renode" / "stridelab_f4.repl"
INSTALL_HINT = (
    "Renode is not installed: install the Renode package from https://github.com/renode/renode/releases "
    f"(renode_<version>_amd64.deb, then `renode` is on PATH), or unpack its portable build, or build it from "
    f"source, or `pip install renode-run && renode-run download`, and set {RENODE_ENV} to the renode "
    "executable (or put it on PATH)"
)

#: The sensor as the platform names it, and its registers the rig writes.
IMU = "sysbus.spi1.spi1_cs.imu"
FIFO_CTRL4 = 0x0A
FIFO_MODE_CONTINUOUS = 0x06
#: Mailbox layout (stm32_emu_mailbox_t in firmware_c/ports/stm32f4/stm32f4_port.h).
MAILBOX_SYMBOL = "stm32_emu_mailbox"
MAILBOX_MAGIC = 0x4D454C53
MAILBOX_SENSOR_WAITING = 248
MAILBOX_STREAM_SAMPLES = 252
EMU_SENSOR_HOST_START = 1 << 3
#: Output rates of the sensor (Hz, by the CONFIG's rate) and the rate Renode's model feeds them at
#: (LSM6DSO_IMU.DataRateToFrequency: whole hertz).
NOMINAL_RATES_HZ = (12, 26, 52, 104, 208, 416, 833, 1666, 3333, 6666)
RENODE_FEED_HZ = {12: 12, 26: 26, 52: 52, 104: 104, 208: 208, 416: 416, 833: 833, 1666: 1660, 3333: 3330, 6666: 6660}
RESD_FILE = "sensor.resd"
LOG_FILE = "target.log"
MONITOR_LOG = "renode-monitor.log"
#: The link: a symbolic link to USART2's pseudo-terminal, in the run directory.
PTY_LINK = "usart2"
#: Speed the budget of a sensor-fed run (feed()) assumes, virtual s per second charged (while the stream
#: runs a wait is charged at least the virtual time, so the budget holds twice the stream's length).
BUDGET_VIRTUAL_S_PER_WALL_S = 0.5
STARTUP_BUDGET_S = 60.0
#: How often the rig asks Renode how far the emulation has come (rig.targets.renode_progress), s.
PROGRESS_SAMPLE_S = 0.2
#: How long one such question may take before the sampler gives up (the waits then fall back on
#: Renode's host progress), s.
PROGRESS_QUERY_S = 30.0
_VIRTUAL_TIME = re.compile(r"TimeElapsed = (\d+):(\d\d):(\d\d)\.(\d{6})")
_PROMPT = re.compile(r"\n\r?\((?:monitor|[^()\r\n]+)\) $")
#: A prompt wherever it is in what Renode printed (the first of several answers that came together).
_PROMPT_ANYWHERE = re.compile(r"\n\r?\((?:monitor|[^()\r\n]+)\) ")
_ERRORS = ("No such command", "There was an error", "Could not", "error executing", "Unhandled exception",
           "Fatal error", "Exception")


def renode_executable() -> str | None:
    """The Renode executable to run ($STRIDELAB_RENODE, else `renode` on PATH), or None if there is none."""
    named = os.environ.get(RENODE_ENV)
    if named:
        return named if os.access(named, os.X_OK) and not os.path.isdir(named) else None
    return shutil.which("renode")


def mode_from_env() -> str:
    """The mode $STRIDELAB_RENODE_MODE names (default sensor), not checked."""
    return os.environ.get(MODE_ENV, "").strip() or MODES[0]


def _bad_mode(mode: str) -> str:
    """What is said of a $STRIDELAB_RENODE_MODE that names no mode."""
    return (f"${MODE_ENV}={mode!r} is not a mode of the renode target; set it to one of: {', '.join(MODES)} "
            f"(default {MODES[0]}), or unset it")


def nominal_odr_hz(odr_mhz: int) -> int:
    """The sensor's output rate nearest (by ratio) to a rate in mHz, as the firmware picks it."""
    return min(NOMINAL_RATES_HZ, key=lambda r: max(r * 1000 / odr_mhz, odr_mhz / (r * 1000)))


def feed_period_ns(odr_mhz: int) -> int:
    """The period Renode's LSM6DSO model takes samples at for a CONFIG rate in mHz, ns.

    The model feeds at the whole-hertz rate of RENODE_FEED_HZ, and Renode's clock runs such a
    thread every round(1e6 / rate) microseconds (ClockEntry's ratio), e.g. 2404 us at 416 Hz:
    a RESD written at that period gives the model one sample per tick, never one twice or none.
    """
    return round(1e6 / RENODE_FEED_HZ[nominal_odr_hz(odr_mhz)]) * 1000


def script(elf: Path, pty: Path, mailbox_addr: int | None = None, flags: int = 0, start: bool = True) -> str:
    """The Renode monitor commands that load the platform and the image, serve USART2 on a
    pseudo-terminal linked at pty, preload the image's emulator mailbox (when mailbox_addr is
    given) and, with start, start the emulation."""
    lines = [
        'mach create "shoe"',
        f"machine LoadPlatformDescription @{PLATFORM}",
        f'emulation CreateUartPtyTerminal "link" "{pty}" true',
        "connector Connect sysbus.usart2 link",
        f"sysbus LoadELF @{elf}",
    ]
    if mailbox_addr is not None:
        words = [MAILBOX_MAGIC, ~MAILBOX_MAGIC & 0xFFFFFFFF, flags, 0]
        lines += [f"sysbus WriteDoubleWord {mailbox_addr + 4 * i:#x} {w:#x}" for i, w in enumerate(words)]
        lines += [f"sysbus WriteDoubleWord {mailbox_addr + off:#x} 0" for off in (MAILBOX_SENSOR_WAITING,
                                                                                  MAILBOX_STREAM_SAMPLES)]
    # Run as fast as the host allows: guest time does not wait for wall time.
    lines += ["emulation SetGlobalAdvanceImmediately true"] + (["start"] if start else []) + [""]
    return "\n".join(lines)


def _process_tree(root: int) -> list[int]:
    """root and every process descended from it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def tree_listening(root: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket that root or a process descended from it listens on
    (launchers start mono as a child); addresses as 127.0.0.1, 0.0.0.0, ::1, ::."""
    inodes: set[str] = set()
    for pid in _process_tree(root):
        inodes |= socket_inodes(pid)
    return [(addr, port) for addr, port, inode in listening_sockets() if inode in inodes]


def opened_elsewhere(device: str, exclude: set[int]) -> bool:
    """True when a process not in exclude has device open (Linux /proc); this process is looked at first."""
    def holds(pid: int) -> bool:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            return False
        for fd in fds:
            with contextlib.suppress(OSError):
                if os.readlink(fd) == device:
                    return True
        return False

    if os.getpid() not in exclude and holds(os.getpid()):
        return True
    return any(holds(int(e.name)) for e in Path("/proc").iterdir()
               if e.name.isdigit() and int(e.name) not in exclude and int(e.name) != os.getpid())


class RenodeMonitor:
    """Renode's monitor over the standard input and output of a Renode started with --console.

    Everything Renode prints is kept in the transcript file; command() sends one line and
    returns what Renode answered before its next prompt. A wait for an answer is charged
    Renode's own progress (rig.progress: the CPU time of its process tree while it works, the
    wall time while it sleeps): a Renode slowed or stalled by a busy host is not taken for hung.
    """

    def __init__(self, proc: subprocess.Popen[bytes], transcript: Path) -> None:
        self.proc = proc
        self._transcript: IO[bytes] = open(transcript, "ab")
        self._buf = bytearray()
        self._cond = threading.Condition()
        self._closed = False
        #: Seconds charged to every wait for an answer so far (Renode's progress, not the wall clock).
        self.charged_s = 0.0
        #: Answers (each up to its prompt) still owed to commands that timed out: skipped when they come.
        self._late = 0
        self._reader = threading.Thread(target=self._read, name="renode-monitor", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            with self._cond:
                if not chunk:
                    self._closed = True
                    self._cond.notify_all()
                    return
                self._buf += chunk
                self._transcript.write(chunk)
                self._transcript.flush()
                self._cond.notify_all()

    def progress_clock(self) -> ProgressClock:
        """A clock charged Renode's own progress (its process tree's), for a wait on it."""
        proc = self.proc
        return ProgressClock(lambda: proc.pid if proc.poll() is None else None)

    def _take_until_prompt(self, timeout_s: float, what: str) -> str:
        clock = self.progress_clock()
        clock.start()
        with self._cond:
            while True:
                text = self._buf.decode(errors="replace")
                late = _PROMPT_ANYWHERE.search(text) if self._late else None
                if late:
                    # the answer of a command that timed out, come after all (up to its prompt, the
                    # first in what came): not this one's
                    del self._buf[:len(text[:late.end()].encode(errors="replace"))]
                    self._late -= 1
                    continue
                m = _PROMPT.search(text)
                if m and not self._late:
                    del self._buf[:len(text[:m.end()].encode(errors="replace"))]
                    self.charged_s += clock.charged()
                    return text[:m.start()]
                left = timeout_s - clock.charged()
                if self._closed or left <= 0:
                    seen = text.strip()[-1500:]
                    del self._buf[:]
                    # its answer may still come: the next command must not take it for its own
                    self._late += not self._closed
                    state = "exited" if self._closed else f"did not answer within {timeout_s:g} s ({clock.describe()})"
                    raise RigError(f"Renode's monitor {state} ({what}); it said: {seen or '(nothing)'}")
                self._cond.wait(min(left, 0.1))

    def wait_prompt(self, timeout_s: float) -> str:
        """Wait for Renode's first prompt (it has started); return what it printed before."""
        return self._take_until_prompt(timeout_s, "waiting for its first prompt")

    def command(self, line: str, timeout_s: float = 60.0, check: bool = True) -> str:
        """Run one monitor command; return its output. With check, output that reports an error raises RigError."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise RigError(f"Renode's monitor is gone (exit status {self.proc.poll()}); could not send `{line}`") from None
        out = self._take_until_prompt(timeout_s, f"after `{line}`")
        # the monitor echoes the command first
        body = out.split("\n", 1)[1] if "\n" in out else ""
        body = body.replace("\r", "").strip()
        if check and any(e in body for e in _ERRORS):
            raise RigError(f"Renode refused `{line}`: {body[-1500:]}")
        return body

    def close(self) -> None:
        """Stop keeping the transcript (the reader ends when Renode's output closes)."""
        with self._cond:
            if not self._transcript.closed:
                self._transcript.close()


class RenodeTarget(Target):
    """The STM32F4 image under Renode; the rig talks to USART2 through a pseudo-terminal.

    Args:
        mode: "sensor" (the scenario feeds Renode's LSM6DSO model from RESD) or "replay"
            (SAMPLE_BATCH frames over the UART); default $STRIDELAB_RENODE_MODE, else sensor.
        startup_timeout_s: time Renode may take to start and serve USART2, charged its own progress
            (rig.progress: its CPU time while it works, wall time while it sleeps).
        stop_timeout_s: time Renode gets to quit by itself before its process group is killed,
            charged the same way.
        elf: the image to run; default rig.build.arm_elf() (built and current).
    """

    name = "renode"
    description = "the STM32F4 ARM image under Renode: sensor fed from RESD (or replay), link on USART2"

    def __init__(self, mode: str | None = None, startup_timeout_s: float = STARTUP_BUDGET_S,
                 stop_timeout_s: float = 5.0, elf: Path | None = None) -> None:
        self.elf = elf
        self.mode = mode or mode_from_env()
        if self.mode not in MODES:
            raise RigError(_bad_mode(self.mode) if mode is None else
                           f"renode target: mode {self.mode!r} is not one of {', '.join(MODES)}")
        self.sensor_fed = self.mode == "sensor"  # type: ignore[misc]
        self.startup_timeout_s = startup_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self._proc: subprocess.Popen[bytes] | None = None
        self._monitor: RenodeMonitor | None = None
        self._run_dir: Path | None = None
        self._raw: Any = None
        self._mailbox_addr = 0
        self._pty_device = ""
        self._ended = ""
        self._arm_thread: threading.Thread | None = None
        self._arm_stop = threading.Event()
        self._arm_error: str = ""
        self._lock = threading.Lock()
        self._sampler: threading.Thread | None = None
        self._mips: float | None = None
        #: How far the emulation had come when last asked (None before, or once Renode stops answering).
        self.progress: EmulatedProgress | None = None
        #: Instructions the core executed: at the stream's start (sensor mode) and at stop().
        self.insns_at_stream_start: int | None = None
        self.insns_at_stop: int | None = None
        self.stream_samples = 0

    @classmethod
    def availability(cls) -> Availability:
        """Available when $STRIDELAB_RENODE_MODE names a mode, a Renode executable is found and the ARM toolchain
        that builds the image is installed. The mode is checked first: a mode mistyped on a machine without
        Renode was reported as 'Renode is not installed', and installing it then met the mistake."""
        if mode_from_env() not in MODES:
            return Availability(False, _bad_mode(mode_from_env()))
        if renode_executable() is None:
            named = os.environ.get(RENODE_ENV)
            if named:
                return Availability(False, f"{RENODE_ENV}={named} is not an executable file; set it to the renode "
                                           "executable (the .deb's /usr/bin/renode, the portable build's renode, a "
                                           "source tree's renode script), or unset it to use `renode` on PATH")
            return Availability(False, INSTALL_HINT)
        why = arm_toolchain_missing()  # the ARM toolchain builds the image
        return Availability(False, why) if why else Availability(True)

    # -- sensor-fed: the samples ------------------------------------------------
    def feed(self, raw: "RawStream", run_dir: Path) -> float:
        """Write the samples as RESD for Renode's LSM6DSO model; return how long the wait for the run's end
        may take, s, as progress_clock() charges it (a RenodeClock: the emulated core's instructions, the
        machine's virtual time while the sensor stream runs, Renode's host progress at a tenth).

        One sample per feed period of the model at the firmware's nominal rate (so each of its
        ticks takes the next sample); a gap in the recording holds the last sample, since the
        model cannot leave a slot empty.
        """
        from rig.resd_out import write_raw

        if not self.sensor_fed:
            return super().feed(raw, run_dir)
        if not len(raw.index):
            raise RigError("renode target: no samples to feed")
        run_dir.mkdir(parents=True, exist_ok=True)
        write_raw(raw, run_dir / RESD_FILE, sample_period_ns=feed_period_ns(raw.odr_mhz), hold_gaps=True)
        self._raw = raw
        self.stream_samples = int(raw.index[-1]) - int(raw.index[0]) + 1
        stream_s = self.stream_samples * feed_period_ns(raw.odr_mhz) * 1e-9
        return STARTUP_BUDGET_S + stream_s / BUDGET_VIRTUAL_S_PER_WALL_S

    # -- start ---------------------------------------------------------------------
    def image(self) -> Path | None:
        """The ELF it runs: the one given, else the project's ARM image once built."""
        return self.elf or (ARM_ELF if ARM_ELF.is_file() else None)

    def start(self, run_dir: Path) -> str:
        """Build the image, start Renode on it; return the path of USART2's pseudo-terminal.

        The emulation starts once the caller opens that path. In sensor mode feed() must have
        written the samples. Raises RigError (after stopping Renode) if Renode fails or does not
        answer within startup_timeout_s seconds.
        """
        self.require()
        run_dir = run_dir.resolve()
        run_dir.mkdir(parents=True, exist_ok=True)
        if self.sensor_fed and not (run_dir / RESD_FILE).is_file():
            raise RigError(f"target renode is sensor-fed: feed() must write {run_dir / RESD_FILE} before start() "
                           f"(`rig run`, `rig replay` and the run_scenario fixture do; or set {MODE_ENV}=replay)")
        try:
            return self._start(run_dir)
        except BaseException:
            self.stop()
            raise

    def _start(self, run_dir: Path) -> str:
        exe = renode_executable()
        assert exe is not None
        elf = self.elf or arm_elf()
        addr = elf_symbols(elf).get(MAILBOX_SYMBOL)
        if addr is None:
            raise RigError(f"{elf} has no symbol {MAILBOX_SYMBOL}: is it the STM32F4 image?")
        self._mailbox_addr = addr
        self._run_dir = run_dir
        tmp = run_dir / "renode-tmp"
        tmp.mkdir(exist_ok=True)
        env = dict(os.environ, TMPDIR=str(tmp))
        argv = [exe, "--disable-gui", "--console", "--plain", "--hide-log"]
        try:
            self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, cwd=run_dir, env=env, start_new_session=True,
                                          preexec_fn=signals_at_default())  # its SIGTERM is not the rig's to ignore
        except OSError as exc:
            raise RigError(f"cannot start Renode ({exe}): {exc}") from None
        _guard_exit_paths()
        _RUNNING.add(self)
        self._monitor = RenodeMonitor(self._proc, run_dir / MONITOR_LOG)
        # Renode starting up (its runtime compiling, loading the platform) is work: on a busy host it
        # is slow, not hung, so the budget is charged its own progress (what the monitor's waits were)
        try:
            self._monitor.wait_prompt(self.startup_timeout_s)
        except RigError as exc:
            if os.environ.get(RENODE_ENV):  # the executable was named: say which, and that it may not be Renode
                raise RigError(f"{exc}; it was started as ${RENODE_ENV}={exe}: is that Renode? Set {RENODE_ENV} to "
                               "the renode executable, or unset it to use `renode` on PATH") from None
            raise
        self._monitor.command(f"logFile @{run_dir / LOG_FILE}")
        flags = EMU_SENSOR_HOST_START if self.sensor_fed else 0
        pty = run_dir / PTY_LINK
        (run_dir / "stridelab.resc").write_text(script(elf, pty, addr, flags))
        for line in script(elf, pty, addr, flags, start=False).splitlines():
            if line:
                self._monitor.command(line, timeout_s=max(1.0, self.startup_timeout_s - self._monitor.charged_s))
        self._mips = float(_number(self._monitor.command("sysbus.cpu PerformanceInMips"),
                                   "sysbus.cpu PerformanceInMips"))
        try:
            self._pty_device = os.readlink(pty)
        except OSError as exc:
            raise RigError(f"Renode did not link USART2's pseudo-terminal at {pty} ({exc.strerror}); see "
                           f"{run_dir / MONITOR_LOG}") from None
        self._arm_stop.clear()
        self._arm_error = ""
        self._arm_thread = threading.Thread(target=self._run_when_linked, name="renode-start", daemon=True)
        self._arm_thread.start()
        return str(pty)

    # -- run once the rig holds the link; sensor-fed: start the stream in step with the firmware --
    def _read_word(self, addr: int) -> int:
        assert self._monitor is not None
        with self._lock:
            out = self._monitor.command(f"sysbus ReadDoubleWord {addr:#x}")
        return _number(out, f"sysbus ReadDoubleWord {addr:#x}")

    def instructions(self, timeout_s: float = 60.0) -> int:
        """Instructions the core has executed so far (`cpu ExecutedInstructions`); RigError when
        Renode does not answer within timeout_s (charged its progress, rig.progress)."""
        assert self._monitor is not None
        with self._lock:
            out = self._monitor.command("sysbus.cpu ExecutedInstructions", timeout_s=timeout_s)
        return _number(out, "sysbus.cpu ExecutedInstructions")

    def _run_when_linked(self) -> None:
        """Start the emulation once a process other than Renode opened USART2's pseudo-terminal
        (bytes sent before would be lost to the rig); then, sensor-fed, start the stream."""
        assert self._proc is not None and self._monitor is not None
        renode = set(_process_tree(self._proc.pid))
        try:
            while not opened_elsewhere(self._pty_device, renode):
                if self._arm_stop.wait(0.05):
                    return
            with self._lock:
                self._monitor.command("start")
        except RigError as exc:
            self._arm_error = f"starting the emulation failed: {exc}"
            return
        self._sampler = threading.Thread(target=self._sample_progress, name="renode-progress", daemon=True)
        self._sampler.start()
        if self.sensor_fed:
            self._arm_when_waiting()

    # -- how far the emulation has come: what the waits are charged with -----------
    def progress_clock(self) -> ProgressClock:
        """A RenodeClock: waits follow the emulated core's instructions (and, while the sensor
        stream runs, virtual time), not Renode's host CPU time; before start(), Renode's host progress."""
        if self._mips is None:
            return super().progress_clock()
        return RenodeClock(lambda: self.progress, self._mips, self.pid)

    def virtual_time_s(self) -> float:
        """The machine's virtual time, s (`machine ElapsedVirtualTime`)."""
        assert self._monitor is not None
        with self._lock:
            out = self._monitor.command("machine ElapsedVirtualTime", timeout_s=PROGRESS_QUERY_S)
        return _virtual_s(out)

    def _sample_progress(self) -> None:
        """Ask Renode every PROGRESS_SAMPLE_S how far the emulation has come (self.progress: the
        virtual time only while the sensor stream runs, the one time it counts); a question not
        answered ends the sampling (the waits then follow Renode's host progress)."""
        assert self._monitor is not None
        m = self._monitor
        while not self._arm_stop.wait(PROGRESS_SAMPLE_S):
            try:
                with self._lock:
                    insns = _number(m.command("sysbus.cpu ExecutedInstructions", timeout_s=PROGRESS_QUERY_S),
                                    "sysbus.cpu ExecutedInstructions")
                    streaming = self.insns_at_stream_start is not None
                    virtual_s = (_virtual_s(m.command("machine ElapsedVirtualTime", timeout_s=PROGRESS_QUERY_S))
                                 if streaming else 0.0)
            except RigError:
                self.progress = None
                return
            self.progress = EmulatedProgress(insns, virtual_s, streaming)

    def _arm_when_waiting(self) -> None:
        """Wait for the firmware to hold its sensor's FIFO, then start the FIFO and the RESD feeds at one instant."""
        assert self._run_dir is not None and self._monitor is not None
        try:
            while not self._arm_stop.wait(0.05):
                if self._read_word(self._mailbox_addr + MAILBOX_SENSOR_WAITING) != 1:
                    continue
                resd = self._run_dir / RESD_FILE
                # Look samples up half a period late, so that a tick a microsecond early still takes its own.
                half_period_ns = feed_period_ns(self._raw.odr_mhz) // 2
                with self._lock:
                    m = self._monitor
                    m.command("pause")
                    self.insns_at_stream_start = _number(m.command("sysbus.cpu ExecutedInstructions"),
                                                         "sysbus.cpu ExecutedInstructions")
                    m.command(f"{IMU} WriteByte {FIFO_CTRL4} {FIFO_MODE_CONTINUOUS}")
                    m.command(f"{IMU} FeedAccelerationSamplesFromRESD @{resd} 0 0 CurrentVirtualTime {half_period_ns}")
                    m.command(f"{IMU} FeedAngularRateSamplesFromRESD @{resd} 0 0 CurrentVirtualTime {half_period_ns}")
                    m.command(f"sysbus WriteDoubleWord {self._mailbox_addr + MAILBOX_STREAM_SAMPLES:#x} "
                              f"{self.stream_samples}")
                    m.command("start")
                return
        except RigError as exc:
            self._arm_error = f"starting the sensor stream failed: {exc}"

    # -- stop ---------------------------------------------------------------------
    def stop(self) -> str:
        """Quit Renode (killing its process group after stop_timeout_s); return how it ended
        (again on a second call: start() that failed has stopped it already)."""
        proc, self._proc = self._proc, None
        _RUNNING.discard(self)
        if proc is None:
            return self._ended or "renode was not started"
        self._arm_stop.set()
        for thread in (self._arm_thread, self._sampler):
            if thread is not None:
                thread.join(10.0)
        self._arm_thread = self._sampler = None
        how = ""
        if proc.poll() is None and self._monitor is not None:
            with contextlib.suppress(RigError):
                # as long as quitting may take: a Renode that does not answer will not quit either
                self.insns_at_stop = self.instructions(timeout_s=self.stop_timeout_s)
            with contextlib.suppress(RigError, OSError):
                assert proc.stdin is not None
                proc.stdin.write(b"quit\n")
                proc.stdin.flush()
            # quitting is work too (its runtime shutting down): charged Renode's own progress
            clock = self._monitor.progress_clock()
            clock.start()
            while proc.poll() is None and clock.charged() < self.stop_timeout_s:
                time.sleep(0.02)
            how = ("quit" if proc.poll() is not None
                   else f"did not quit within {self.stop_timeout_s:g} s ({clock.describe()})")
        # The launcher's children (mono) share its process group: end every one of them.
        killed = _kill_group(proc.pid)
        status = proc.wait(5.0) if proc.poll() is None else proc.returncode
        if self._monitor is not None:
            self._monitor.close()
            self._monitor = None
        with contextlib.suppress(OSError):
            if proc.stdin:
                proc.stdin.close()
        parts = [f"renode {how or 'had already exited'}, exit status {status}"]
        if killed:
            parts.append(f"killed {killed} process(es) left in its group")
        if self._arm_error:
            parts.append(self._arm_error)
        if self.insns_at_stop is not None:
            parts.append(f"{self.insns_at_stop} instructions executed")
        if self._run_dir is not None:
            parts.append(f"log {self._run_dir / LOG_FILE}")
        self._ended = "; ".join(parts)
        return self._ended


#: Renodes this process started and has not stopped yet: stopped at exit and on SIGTERM/SIGHUP too.
_RUNNING: set["RenodeTarget"] = set()


def _stop_all() -> None:
    for target in list(_RUNNING):
        with contextlib.suppress(Exception):
            target.stop()


def _on_signal(signum: int, frame: Any) -> None:
    """Stop every Renode, then die of the signal as if no handler had been there."""
    _stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _guard_exit_paths() -> None:
    """Make sure no exit of this process leaves a Renode running (Renode runs in a session of its own)."""
    if getattr(_guard_exit_paths, "done", False):
        return
    atexit.register(_stop_all)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) is signal.SIG_DFL:
                signal.signal(sig, _on_signal)
    _guard_exit_paths.done = True  # type: ignore[attr-defined]


def _number(out: str, command: str) -> int:
    """The number a monitor command printed last (hex or decimal); RigError if there is none."""
    try:
        return int(out.split()[-1], 0)
    except (IndexError, ValueError):
        raise RigError(f"Renode answered `{command}` with {out!r}, not a number") from None


def _virtual_s(out: str) -> float:
    """Seconds of the machine's virtual time in what Renode printed for `machine ElapsedVirtualTime`
    (`[Domain = <its time source, over several lines>, TimeElapsed = 00:01:02.345678]`)."""
    m = _VIRTUAL_TIME.search(out)
    if m is None:
        raise RigError(f"Renode answered `machine ElapsedVirtualTime` with {out!r}, not a time")
    h, mi, s, us = (int(g) for g in m.groups())
    return h * 3600 + mi * 60 + s + us * 1e-6


def _kill_group(pgid: int) -> int:
    """SIGTERM, then SIGKILL, every process left in process group pgid; how many there were."""
    def members() -> list[int]:
        out = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                fields = stat.rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    out.append(int(entry.name))
        return out

    left = members()
    if not left:
        return 0
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)
        deadline = time.monotonic() + 3.0
        while members() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not members():
            break
    return len(left)
