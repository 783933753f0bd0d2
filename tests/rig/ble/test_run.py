"""The shoe over Bluetooth LE: a separate Bumble central (the phone) discovers the Running Speed and
Cadence service, runs the Control Point procedures, subscribes, and receives the firmware's values
through real GATT/ATT on Bumble's virtual link; what it received is checked against the truth."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("bumble", reason="the BLE shoe needs the ble extra: pip install -e '.[ble]'")

from frame_spec import rscs  # noqa: E402
from frame_spec.rscs_golden import CONTROL_POINT, FEATURE_HEX, SENSOR_LOCATION_HEX, wire  # noqa: E402
from rig.ble.run import PHONE_SET_DISTANCE_M, run_ble  # noqa: E402
from rig.targets.base import Target  # noqa: E402

pytestmark = pytest.mark.target("host", "qemu")

#: Runs 15 s, stands 8 s, runs 15 s, walks 10 s: moving, stopped, running and walking.
SCENARIO = "stop_and_go"


def _golden(name: str) -> str:
    cp = next(v for v in CONTROL_POINT if v.name == name)
    return wire(cp.response_hex).hex()


def test_phone_receives_the_firmwares_values_and_they_match_the_truth(rig_target: Target, runs_dir: Path) -> None:
    run = run_ble(rig_target, SCENARIO, runs_dir)
    where = f"captures: {run.run_dir}"
    # every RSC Measurement the firmware published reached the phone, byte for byte, in order
    assert len(run.sent) >= 48, f"{len(run.sent)} RSC Measurements in a 48 s run; {where}"
    assert run.received == run.sent, where
    # the phone's reads and Control Point procedures went through GATT to the firmware and back
    ev = run.phone_events
    reads = [(e["uuid"], e["value"]) for e in ev if e["event"] == "read"]
    assert reads == [("2a54", FEATURE_HEX), ("2a5d", SENSOR_LOCATION_HEX), ("2a5d", "01")], where
    assert [e for e in ev if e["event"] == "att_error"] == [{"event": "att_error", "op": "04", "error": 0x81}], where
    answers = {e["request"]: e["value"] for e in ev if e["event"] == "indication"}
    assert answers["04"] == _golden("request_supported_locations")
    assert answers["02"] == _golden("start_calibration")
    assert answers["0301"] == _golden("update_location_top_of_shoe")
    assert answers["0110270000"] == _golden("set_cumulative_value")
    # what the phone shows, against the scenario's truth (speed, cadence, stride, distance, status over time)
    assert run.report.passed, f"{run.report.explain()}\n{where}"
    truth = run.recording.truth
    assert truth is not None
    values = [rscs.parse_measurement(v) for v in run.received]
    running = [v for v in values if v.running and v.cadence_per_min > 0]
    true_rate = statistics.median(60000.0 / s.stride_ms for s in truth.strides if s.activity == "run" and s.stride_ms)
    assert abs(statistics.median(v.cadence_per_min for v in running) - true_rate) <= 1.0, \
        "cadence is the sensor foot's contacts per minute, as the specification reads it"
    last_total = values[-1].total_m
    assert last_total is not None and truth.distance_m is not None
    assert abs((last_total - PHONE_SET_DISTANCE_M) - truth.distance_m) <= 0.05 * truth.distance_m, \
        "total distance counts on from the value the phone set"
    stopped = [v for v in values if v.speed_mps == 0 and v.cadence_per_min == 0]
    assert len(stopped) >= 3, "the 8 s stand shows as stopped"


def test_phone_without_a_shoe_exits_2_naming_the_step() -> None:
    # a loopback port nobody serves: the phone cannot open its controller
    got = subprocess.run([sys.executable, "-m", "rig.ble.phone", "--hci", "tcp-client:127.0.0.1:9", "--timeout-s", "2"],
                         capture_output=True, text=True, timeout=60)
    assert got.returncode == 2, got.stderr
    assert "phone:" in got.stderr and "Traceback" not in got.stderr


def test_phone_refuses_a_distance_out_of_range() -> None:
    got = subprocess.run([sys.executable, "-m", "rig.ble.phone", "--hci", "tcp-client:127.0.0.1:9",
                          "--set-distance-m", "-1"], capture_output=True, text=True, timeout=60)
    assert got.returncode == 2 and "--set-distance-m" in got.stderr


def test_rig_ble_bad_input_exits_2_naming_it(tmp_path: Path) -> None:
    unknown = subprocess.run([sys.executable, "-m", "rig", "ble", "nosuch", "--runs-dir", str(tmp_path)],
                             capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2 and "unknown scenario 'nosuch'" in unknown.stderr
    # a well-formed transport that cannot be opened (a loopback port nobody serves): known once it is tried
    bad_hci = subprocess.run([sys.executable, "-m", "rig", "ble", "walk", "--hci", "tcp-client:127.0.0.1:9",
                              "--runs-dir", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert bad_hci.returncode == 2, bad_hci.stderr
    assert "--hci tcp-client:127.0.0.1:9" in bad_hci.stderr and "run directory" in bad_hci.stderr
    assert "Traceback" not in bad_hci.stderr
    run_dirs = list(tmp_path.iterdir())
    assert len(run_dirs) == 1 and (run_dirs[0] / "target.txt").read_text().strip(), "the target was stopped and said how"


@pytest.mark.parametrize("argv", [["--timeout-s", "nan"], ["--timeout-s", "-1"], ["--max-session-s", "inf"]])
def test_the_phone_refuses_a_bound_that_is_none(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """python -m rig.ble.phone --timeout-s nan (or -1, --max-session-s inf) was taken as it came: a step
    then waited for ever or failed at once, after connecting."""
    from rig.ble import phone

    with pytest.raises(SystemExit) as exc:
        phone.main(["--hci", "tcp-client:127.0.0.1:1", *argv])
    assert exc.value.code == 2
    assert f"argument {argv[0]}: {argv[1]} must be a finite number of seconds > 0" in capsys.readouterr().err
