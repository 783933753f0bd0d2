"""rig.records: the typed Stride / Summary / RunResult, checked against the frame definitions and the C structs."""

from __future__ import annotations

import ctypes
import dataclasses
import json
import math

import pytest

from frame_spec import messages
from rig import native
from rig.build import analyzer_library, c_struct_layout
from rig.records import STRIDE_FLAGS, STRIDE_FLOATS, SUMMARY_RENAMES, RunResult, Stride, Summary

NAN = float("nan")


def _values(**kw: object) -> dict[str, object]:
    values: dict[str, object] = {k: 1.5 for k in STRIDE_FLOATS}
    values.update(strike="heel", activity="run", flags=0)
    values.update(kw)
    return values


def test_stride_fields_are_the_stride_frame_fields() -> None:
    frame = [sc.name for sc in messages.Stride.subcons]
    renamed = {"ic_us": ["ic_s"], "tc_us": ["tc_s"], "flags": [name for name, _ in STRIDE_FLAGS]}
    expected = [new for name in frame for new in renamed.get(name, [name])]
    assert list(Stride.keys_in_order()) == expected
    assert len(STRIDE_FLOATS) == 12 and STRIDE_FLOATS[0] == "gct_ms" and STRIDE_FLOATS[-1] == "speed_mps"


def test_summary_fields_are_the_summary_frame_fields() -> None:
    frame = [SUMMARY_RENAMES.get(sc.name, sc.name) for sc in messages.Summary.subcons]
    assert sorted(Summary.keys_in_order()) == sorted(frame)


def test_stride_floats_and_flags_match_the_c_struct() -> None:
    c = dict(c_struct_layout(analyzer_library(), "gait_stride_t").members)
    assert set(STRIDE_FLOATS) <= set(c)
    floats_at = [c[k] for k in STRIDE_FLOATS]
    assert floats_at == sorted(floats_at), "STRIDE frame floats are in the C struct's order"
    assert {"strike", "activity", "flags"} <= set(c)


def test_summary_matches_the_c_struct() -> None:
    c = [name for name, _ in c_struct_layout(analyzer_library(), "gait_summary_t").members]
    activities = [f"{a.name}_s" for a in messages.Activity]
    from_c = [SUMMARY_RENAMES.get(n, n) for n in c if n != "activity_s"] + activities
    assert sorted(from_c) == sorted(Summary.keys_in_order())


def test_ctypes_mirrors_match_the_compiled_structs() -> None:
    assert native.mirror_problems(analyzer_library()) == []
    assert ctypes.sizeof(native.GaitStride) == c_struct_layout(analyzer_library(), "gait_stride_t").size


def test_a_drifted_mirror_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    class Shorter(ctypes.Structure):
        _fields_ = [(name, typ) for name, typ in native.GaitStride._fields_ if name != "swing_ms"]

    monkeypatch.setattr(native, "MIRRORS", ((Shorter, "gait_stride_t"),))
    problems = native.mirror_problems(analyzer_library())
    assert any("68 bytes in C but Shorter is 64" in p for p in problems), problems
    assert any("swing_ms" in p for p in problems), problems


def test_stride_from_values_marks_unmeasured_and_flags() -> None:
    s = Stride.from_values(3, 1.25, 1.5, _values(fsa_deg=NAN, strike="unknown", flags=0x05))
    assert s.fsa_deg is None and s.strike is None and s.gct_ms == 1.5
    assert (s.impact_clipped, s.gyro_saturated, s.samples_dropped) == (True, False, True)
    no_tc = Stride.from_values(4, 2.0, 2.2, _values(gct_ms=NAN))
    assert no_tc.tc_s is None and no_tc.gct_ms is None


def test_stride_is_frozen_and_a_mapping_of_the_json_contract() -> None:
    s = Stride.from_values(0, 1.0, 1.2, _values())
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.ic_s = 2.0  # type: ignore[misc]
    assert s["ic_s"] == s.ic_s == 1.0 and s.get("no_such_field") is None
    with pytest.raises(KeyError):
        s["no_such_field"]
    doc = json.loads(json.dumps(s.to_json()))
    assert list(doc) == list(Stride.keys_in_order())
    assert s == doc and dict(s) == doc


def test_summary_from_payload_renames_and_marks_unmeasured() -> None:
    payload = {"strides": 2, "distance_m": 4.0, "duration_s": 3.0, "avg_pace_s_per_km": NAN, "avg_cadence_spm": 170.0,
               "still_s": 0.0, "walk_s": 0.0, "run_s": 3.0, "stairs_s": 0.0, "dropped_samples": 1}
    s = Summary.from_payload(payload)
    assert s.cadence_spm == 170.0 and s.pace_s_per_km is None and s["dropped_samples"] == 1
    assert "avg_cadence_spm" not in s


def test_run_result_json_problems_and_speed() -> None:
    stride = Stride.from_values(0, 1.0, 1.2, _values())
    summary = Summary.from_payload({"strides": 1, "distance_m": 1.5, "duration_s": 10.0, "avg_pace_s_per_km": 600.0,
                                    "avg_cadence_spm": 170.0, "still_s": 0.0, "walk_s": 0.0, "run_s": 10.0,
                                    "stairs_s": 0.0, "dropped_samples": 0})
    r = RunResult([stride], summary, {}, samples_sent=4160, wall_s=2.0, frame_errors=("bad crc",), seq_gaps=1,
                  stale_frames=2, restarts=1)
    assert r.realtime_factor == 5.0
    problems = r.link_problems()
    assert len(problems) == 3 and "bad crc" in problems[0] and "1 gap" in problems[1] and "restarted 1" in problems[2]
    assert "2 STRIDE/SUMMARY frame(s)" in r.notes()[0]
    doc = json.loads(json.dumps(r.to_json()))
    assert doc["strides"][0]["ic_s"] == 1.0 and doc["summary"]["cadence_spm"] == 170.0
    empty = RunResult([], None, {}, samples_sent=0, wall_s=0.0)
    assert empty.realtime_factor == 0.0 and empty.link_problems() == [] and empty.notes() == []
    assert empty.to_json() == {"strides": [], "summary": None}
    assert not math.isnan(r.realtime_factor)
