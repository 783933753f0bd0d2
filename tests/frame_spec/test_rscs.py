"""The Running Speed and Cadence service's values: construct definitions against bytes packed by hand."""

from __future__ import annotations

import math

import pytest
from construct import ConstructError

from frame_spec import rscs, rscs_golden
from frame_spec.rscs_golden import CONTROL_POINT, FEATURE_HEX, MEASUREMENTS, SENSOR_LOCATION_HEX, wire


@pytest.mark.parametrize("v", MEASUREMENTS, ids=lambda v: v.name)
def test_measurement_builds_and_parses_the_hand_packed_bytes(v: rscs_golden.MeasurementVector) -> None:
    counts = {"running": v.running, "speed_256ths_mps": v.speed_256ths_mps, "cadence_per_min": v.cadence_per_min,
              "stride_length_cm": v.stride_length_cm, "total_distance_dm": v.total_distance_dm}
    assert rscs.RscMeasurement.build(counts) == wire(v.wire_hex)
    p = rscs.RscMeasurement.parse(wire(v.wire_hex))
    assert (p.speed_256ths_mps, p.cadence_per_min, p.stride_length_cm, p.total_distance_dm) == (
        v.speed_256ths_mps, v.cadence_per_min, v.stride_length_cm, v.total_distance_dm)
    assert bool(p.flags.running) is v.running
    si = rscs.parse_measurement(wire(v.wire_hex))
    assert si.speed_mps == v.speed_256ths_mps / 256.0
    assert si.stride_m == (None if v.stride_length_cm is None else v.stride_length_cm / 100.0)
    assert si.total_m == (None if v.total_distance_dm is None else v.total_distance_dm / 10.0)
    assert rscs.build_measurement(si) == wire(v.wire_hex)


def test_units_are_the_specifications() -> None:
    """3.0 m/s, 85 contacts/min, 2.12 m, 105.5 m: the first vector, from SI values."""
    got = rscs.build_measurement(rscs.RscValues(speed_mps=3.0, cadence_per_min=85, stride_m=2.12, total_m=105.5,
                                                running=True))
    assert got == wire(MEASUREMENTS[0].wire_hex)
    # speed = cadence x stride length / 60 under the specification's reading of both
    si = rscs.parse_measurement(got)
    assert si.stride_m is not None
    assert math.isclose(si.cadence_per_min * si.stride_m / 60.0, si.speed_mps, rel_tol=0.01)


@pytest.mark.parametrize("bad", [b"", b"\x00\x00\x01", b"\x01\x00\x01\x05", b"\x02\x00\x01\x05\x00\x00", b"\x00\x00\x01\x05\xff"])
def test_malformed_measurements_are_refused(bad: bytes) -> None:
    with pytest.raises(ConstructError):
        rscs.RscMeasurement.parse(bad)


def test_values_that_cannot_be_sent_are_refused() -> None:
    with pytest.raises(ValueError, match="finite value"):
        rscs.build_measurement(rscs.RscValues(float("nan"), 80, None, None, True))


def test_feature_and_location() -> None:
    assert rscs.RscFeature.build({"stride_length": True, "total_distance": True, "walking_or_running_status": True,
                                  "multiple_sensor_locations": True}) == wire(FEATURE_HEX)
    assert rscs.SensorLocationValue.parse(wire(SENSOR_LOCATION_HEX)) == "in_shoe"


@pytest.mark.parametrize("cp", CONTROL_POINT, ids=lambda cp: cp.name)
def test_control_point_responses_parse(cp: rscs_golden.ControlPointVector) -> None:
    rsp = rscs.ScIndication.parse(wire(cp.response_hex))
    assert int(rsp.request_op_code) == wire(cp.request_hex)[0]
    assert rscs.ScIndication.build(rsp) == wire(cp.response_hex)


def test_control_point_requests_build() -> None:
    assert rscs.ScRequest.build({"op_code": "set_cumulative_value", "cumulative_dm": 10000, "location": None}) == \
        wire(CONTROL_POINT[0].request_hex)
    assert rscs.ScRequest.build({"op_code": "update_sensor_location", "cumulative_dm": None,
                                 "location": "top_of_shoe"}) == wire("03 01")
    assert rscs.ScRequest.build({"op_code": "request_supported_sensor_locations", "cumulative_dm": None,
                                 "location": None}) == wire("04")
    assert rscs.ScIndication.parse(wire("10 04 01 02 01")).locations == ["in_shoe", "top_of_shoe"]


def test_generated_c_test_is_current() -> None:
    assert rscs_golden.main(["--check"]) == 0, "run python -m frame_spec.rscs_golden"
