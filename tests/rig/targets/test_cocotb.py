"""The cocotb target: the firmware's native build on the LSM6DSO model, judged like every other target.

Three short scenario runs on the simulator $STRIDELAB_COCOTB_SIM names (Verilator by
default where installed, else Icarus; STRIDELAB_COCOTB_SIM=icarus runs them on Icarus): a catalog run that must
also match the host build frame for frame, the catalog's dropouts (the recording's lost
samples are empty sensor slots the port must find by timing the FIFO), and FIFO overruns
provoked by stalling the MCU. Then the port's own unit test, and how the target starts,
refuses and stops.
"""

from __future__ import annotations

import errno
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rig.assertions import check_result
from rig.errors import RigError
from rig.evaluate import score
from rig.faults import FaultRates, FaultyLink
from rig.inject import to_raw
from rig.runner import run_recording
from rig.records import RunResult
from rig.build import COSIM_MAKEFILE, FIRMWARE_DIR
from rig.targets.cocotb import (
    LOG_FILE,
    SAMPLES_FILE,
    SIM_ENV,
    WAVES_ENV,
    CocotbTarget,
    availability_of,
    waves_from_env,
)
from rig.targets.host import HostTarget
from scenarios.catalog import synthesize
from scenarios.definition import ScenarioDef
from scenarios.synth import synthesize_def


@pytest.fixture
def cocotb_target() -> CocotbTarget:
    """The target on this session's simulator; skipped with the reason where it cannot run."""
    target = CocotbTarget()
    avail = availability_of(target.simulator)
    if not avail.ok:
        pytest.skip(f"cocotb target unavailable: {avail.reason}")
    return target


def _speed_note(target: CocotbTarget) -> str:
    s = target.last_speed or {}
    return f"{s.get('simulator')}: {s.get('sim_s_per_wall_s') or 0:.2f} simulated s per wall s, port {s.get('port')}"


def test_heel_striker_matches_the_host_build(cocotb_target: CocotbTarget, tmp_path: Path) -> None:
    """A catalog run passes its checks, and every frame's content equals the host build's."""
    rec = synthesize("heel_striker")
    assert rec.truth is not None
    (tmp_path / "cocotb").mkdir()
    (tmp_path / "host").mkdir()
    result = run_recording(cocotb_target, rec, tmp_path / "cocotb")
    report = check_result(result, rec.truth)
    assert report.passed, f"{report.explain()}\n{_speed_note(cocotb_target)}\ncaptures: {tmp_path / 'cocotb'}"
    host = run_recording(HostTarget(), rec, tmp_path / "host")
    assert result.to_json() == host.to_json(), "the co-simulated firmware reported other strides than the host build"
    port = (cocotb_target.last_speed or {})["port"]
    assert port["samples"] == len(rec.t_s) and port["gaps"] == 0 and port["overruns"] == 0, port
    # a 16-sample watermark, and a couple more arrive while the burst is read
    assert port["int1_wakeups"] > port["samples"] / 20, f"INT1 did not pace the reads: {port}"
    assert port["anchors"] >= 0.95 * port["int1_wakeups"], f"reads after INT1 did not time the FIFO: {port}"


def test_dropouts_found_by_timing_the_fifo(cocotb_target: CocotbTarget, tmp_path: Path) -> None:
    """The recording's lost samples are empty sensor slots: the port finds every one by timing the FIFO."""
    rec = synthesize("dropouts")
    assert rec.truth is not None
    result = run_recording(cocotb_target, rec, tmp_path)
    report = check_result(result, rec.truth)
    assert report.passed, f"{report.explain()}\n{_speed_note(cocotb_target)}\ncaptures: {tmp_path}"
    assert result.summary is not None
    lost = rec.truth.meta["dropped_samples"]
    assert lost > 100
    assert result.summary["dropped_samples"] == lost, (result.summary, _speed_note(cocotb_target))


def test_mcu_stalls_overrun_the_fifo_and_the_indices_stay_right(tmp_path: Path) -> None:
    """Two 0.9 s MCU stalls overrun the 512-word FIFO: the driver reports each overrun, the port
    skips the lost slots, and the strides after each stall keep their times."""
    target = CocotbTarget(stalls_s=[(4.0, 0.9), (8.5, 0.9)])
    avail = availability_of(target.simulator)
    if not avail.ok:
        pytest.skip(f"cocotb target unavailable: {avail.reason}")
    rec = synthesize_def(ScenarioDef(name="stalled_run", description="12 s at 3.0 m/s", tags=("run",),
                                     speed_mps=3.0, duration_s=12.0, seed=31))
    assert rec.truth is not None
    result = run_recording(target, rec, tmp_path)
    port = (target.last_speed or {})["port"]
    assert port["overruns"] == 2 and port["gaps"] == 2, port
    odr_hz = to_raw(rec).odr_mhz / 1000.0
    # each stall loses what it lasted, give or take the watermark and the flush
    assert 2 * 0.85 * 0.9 * odr_hz < port["missing"] < 2 * 1.1 * 0.9 * odr_hz, port
    assert result.summary is not None and result.summary["dropped_samples"] == port["missing"]
    scores = score(result.strides, rec.truth, summary=result.summary)
    # a 0.9 s hole touches at most two strides of a 0.75 s stride cycle: those are lost, no other
    assert scores.precision == 1.0 and scores.n_missed <= 2 * 2, scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 3.0, f"strides after a stall are off: {scores}"
    assert _strides_near(result, 4.0 + 0.9 + 0.5) and _strides_near(result, 8.5 + 0.9 + 0.5), result.strides


def _strides_near(result: RunResult, t_s: float, within_s: float = 1.0) -> bool:
    return any(abs(s["ic_s"] - t_s) < within_s for s in result.strides)


def test_port_unit_test() -> None:
    """The slot clock against a sensor whose every slot is known (C, under the sanitizers)."""
    proc = subprocess.run(["make", "-s", "-C", str(FIRMWARE_DIR), "-f", COSIM_MAKEFILE, "cosim-test"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_unknown_simulator_is_unavailable_naming_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SIM_ENV, "xcelium")
    avail = CocotbTarget.availability()
    assert not avail.ok and "icarus" in avail.reason and "verilator" in avail.reason and SIM_ENV in avail.reason


def test_start_without_samples_says_feed_first(cocotb_target: CocotbTarget, tmp_path: Path) -> None:
    with pytest.raises(RigError, match=f"feed\\(\\) must write .*{SAMPLES_FILE}"):
        cocotb_target.start(tmp_path)


def test_feed_refuses_an_empty_stream(tmp_path: Path) -> None:
    raw = to_raw(synthesize("standing"))
    empty = type(raw)(raw.counts[:0], raw.index[:0], raw.t_s[:0], raw.odr_mhz, raw.accel_fs_g, raw.gyro_fs_dps)
    with pytest.raises(RigError, match="N > 0"):
        CocotbTarget().feed(empty, tmp_path)


def test_feed_budgets_wall_time_for_the_stream(tmp_path: Path) -> None:
    raw = to_raw(synthesize("standing"))
    budget = CocotbTarget().feed(raw, tmp_path)
    assert (tmp_path / SAMPLES_FILE).is_file()
    with np.load(tmp_path / SAMPLES_FILE) as z:
        assert np.array_equal(z["counts"], raw.counts) and int(z["odr_mhz"]) == raw.odr_mhz
    assert budget > 2 * (raw.index[-1] / (raw.odr_mhz / 1000.0))


def test_a_hung_simulation_is_killed_and_its_log_kept(cocotb_target: CocotbTarget, tmp_path: Path) -> None:
    """A rig that connects and never configures leaves the firmware waiting: stop() kills it."""
    cocotb_target.stop_grace_s = 1.0
    cocotb_target.feed(to_raw(synthesize("standing")), tmp_path)
    url = cocotb_target.start(tmp_path)
    host, port = url.removeprefix("socket://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.settimeout(10)
        assert conn.recv(64), "no HELLO from the firmware"
        how = cocotb_target.stop()
    assert "killed after 1 s" in how and "did not finish" in how, how
    assert "cocotb.regression" in (tmp_path / LOG_FILE).read_text(errors="replace")
    assert json.loads((tmp_path / "cocotb.json").read_text())["simulator"] == cocotb_target.simulator


# ---- the port's waits on the rig: bounded by the rig's process and link, never by the host's clock ----

#: Runs the port (no simulator: it waits on the rig before it needs the bus) and prints cosim_run()'s code.
_PORT_UNTIL_THE_RIG = """
import ctypes, sys
from pathlib import Path
from emulated_chip.lsm6dso.bridge import CO_DONE, CoT, OptionsT, StatsT, load_port
lib = load_port(Path(sys.argv[1]))
opt, stats, co = OptionsT(), StatsT(), CoT()
lib.cosim_options_default(ctypes.byref(opt))
announce = sys.argv[2].encode()
opt.announce_path = announce
opt.rig_pid = int(sys.argv[3])
rc = lib.cosim_co_start(ctypes.byref(opt), ctypes.byref(stats), ctypes.byref(co))
print("op", co.op, "done" if co.op == CO_DONE else "asked the bus", "rc", rc, "result", co.result, flush=True)
"""


def _needs_the_bridge() -> None:
    """Skip where the port's ctypes bridge cannot load: it imports cocotb (the cocotb extra)."""
    pytest.importorskip("cocotb", reason="the port's bridge (emulated_chip.lsm6dso.bridge) imports cocotb: "
                                         "pip install -e '.[cocotb]'")


def _port_waiting_on(rig_pid: int, tmp_path: Path) -> tuple[subprocess.Popen[str], tuple[str, int]]:
    """The port in a process of its own, waiting for the rig rig_pid; and the address it listens on."""
    _needs_the_bridge()
    from rig.build import REPO, cosim_port_library

    announce = tmp_path / "link.addr"
    port = subprocess.Popen([sys.executable, "-c", _PORT_UNTIL_THE_RIG, str(cosim_port_library()), str(announce),
                             str(rig_pid)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(600):
        if announce.is_file() or port.poll() is not None:
            break
        time.sleep(0.05)
    assert announce.is_file(), f"the port did not listen: {port.communicate(timeout=30)}"
    host, tcp = announce.read_text().strip().split(":")
    return port, (host, int(tcp))


def _ended_with(port: subprocess.Popen[str]) -> tuple[int, str]:
    """cosim_run()'s code and the port's messages; the 60 s are a guard against a hang, not a figure."""
    out, err = port.communicate(timeout=60)
    assert "done" in out, (out, err)
    return int(out.split("result")[1]), err


@pytest.fixture
def rig_process() -> Iterator[subprocess.Popen[bytes]]:
    """A process standing in for the rig: the port waits for it as long as it lives."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    yield proc
    proc.kill()
    proc.wait()


def test_port_waits_to_be_connected_until_the_rig_is_gone(rig_process: subprocess.Popen[bytes],
                                                          tmp_path: Path) -> None:
    """A rig that never connects: the port ends when its process does (-ESRCH), not at a wall-clock
    timeout (it was 60 s, then -ETIMEDOUT: a slow rig on a busy host failed the same way)."""
    port, _ = _port_waiting_on(rig_process.pid, tmp_path)
    assert port.poll() is None
    rig_process.kill()
    rc, err = _ended_with(port)
    assert rc == -errno.ESRCH, err
    assert f"the rig's process (pid {rig_process.pid}) ended" in err, err


def test_port_waits_for_config_until_the_rig_is_gone_with_the_link_open(rig_process: subprocess.Popen[bytes],
                                                                        tmp_path: Path) -> None:
    """Connected and left without CONFIG, the link held open by another process: the port ends with the rig."""
    port, addr = _port_waiting_on(rig_process.pid, tmp_path)
    with socket.create_connection(addr, timeout=30) as conn:
        assert conn.recv(64), "no HELLO from the port"
        rig_process.kill()
        rc, err = _ended_with(port)
    assert rc == -errno.ESRCH and "waiting for CONFIG" in err, err


def test_port_ends_when_the_rig_closes_the_link(rig_process: subprocess.Popen[bytes], tmp_path: Path) -> None:
    """The rig alive but its end of the link closed before CONFIG: -EPIPE at once."""
    port, addr = _port_waiting_on(rig_process.pid, tmp_path)
    with socket.create_connection(addr, timeout=30) as conn:
        assert conn.recv(64), "no HELLO from the port"
    rc, err = _ended_with(port)
    assert rc == -errno.EPIPE and rig_process.poll() is None, err


def test_port_refuses_a_rig_that_is_gone_already(tmp_path: Path) -> None:
    _needs_the_bridge()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    from rig.build import REPO, cosim_port_library

    proc = subprocess.run([sys.executable, "-c", _PORT_UNTIL_THE_RIG, str(cosim_port_library()),
                           str(tmp_path / "link.addr"), str(gone.pid)], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert f"result {-errno.ESRCH}" in proc.stdout and not (tmp_path / "link.addr").exists(), proc


class _RigSlowToClose(CocotbTarget):
    """The link passes through a forwarder that, once the rig is done, holds the firmware's end open
    for hold_s before closing it: as a rig starved by a busy host would be late to close."""

    def __init__(self, hold_s: float) -> None:
        super().__init__(stop_grace_s=120.0)
        self.hold_s = hold_s
        self.forwarder: FaultyLink | None = None

    def start(self, run_dir: Path) -> str:
        self.forwarder = FaultyLink(super().start(run_dir), FaultRates())
        return self.forwarder.url

    def stop(self) -> str:
        if self.forwarder is not None:
            time.sleep(self.hold_s)
            self.forwarder.close()
        return super().stop()


def test_a_rig_late_to_close_the_link_changes_no_verdict(tmp_path: Path) -> None:
    """SUMMARY sent, the rig takes 12 s to close the link: the testbench still passes (the port waited
    10 s of wall time and failed with -ETIMEDOUT, so a busy host turned a good run into a failed one)."""
    target = _RigSlowToClose(hold_s=12.0)
    avail = availability_of(target.simulator)
    if not avail.ok:
        pytest.skip(f"cocotb target unavailable: {avail.reason}")
    rec = synthesize_def(ScenarioDef(name="short_run", description="3 s at 3.0 m/s", tags=("run",),
                                     speed_mps=3.0, duration_s=3.0, seed=5))
    result = run_recording(target, rec, tmp_path)
    assert result.summary is not None
    ended = (tmp_path / "target.txt").read_text()
    assert "ended, exit status 0: testbench passed" in ended, ended


@pytest.mark.parametrize("value, waves", [("", False), ("0", False), ("off", False), ("No", False), ("1", True),
                                          ("on", True), ("yes", True), ("maybe", None), ("2", None)])
def test_the_waves_variable_says_yes_or_no(monkeypatch: pytest.MonkeyPatch, value: str, waves: bool | None) -> None:
    """STRIDELAB_COCOTB_WAVES=off (or any word but 0, no, false) turned the trace on: a slower run and
    an FST file nobody asked for; a value that is neither yes nor no is now refused, naming it."""
    monkeypatch.setenv(WAVES_ENV, value)
    if waves is None:
        with pytest.raises(RigError, match=rf"^{WAVES_ENV}='{value}' says neither yes nor no"):
            waves_from_env()
        # rig list said the target 'available', and every run was then refused
        avail = CocotbTarget.availability()
        assert not avail.ok and avail.reason.startswith(f"{WAVES_ENV}='{value}' says neither yes nor no"), avail
    else:
        assert waves_from_env() is waves
