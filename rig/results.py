"""Strides and summaries in the replay JSON contract, from whichever engine produced them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from frame_spec.messages import FLAG_GYRO_SATURATED, FLAG_IMPACT_CLIPPED, FLAG_SAMPLES_DROPPED

#: Float fields of a stride, in the order of the STRIDE frame; NaN means "not measured".
STRIDE_FLOATS = ("gct_ms", "flight_ms", "swing_ms", "stride_ms", "cadence_spm", "duty_factor", "fsa_deg",
                 "pronation_deg", "peak_roll_rate_dps", "peak_impact_g", "stride_m", "speed_mps")


def measured(v: float | None) -> float | None:
    """None for an unmeasured (NaN) value, else the value as a Python float."""
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def tc_measured(values: Mapping[str, Any]) -> bool:
    """Whether a stride's toe-off was measured (its contact time is not NaN)."""
    return measured(values["gct_ms"]) is not None


def stride_dict(stride_no: int, ic_s: float, tc_s: float | None, values: Mapping[str, Any]) -> dict[str, Any]:
    """One replay-JSON stride. values holds STRIDE_FLOATS, strike and activity names and the flags byte;
    tc_s is null when the contact time was not measured (callers need not convert a meaningless TC)."""
    out: dict[str, Any] = {"stride_no": stride_no, "ic_s": ic_s}
    out["tc_s"] = tc_s if tc_measured(values) else None
    for key in STRIDE_FLOATS:
        out[key] = measured(values[key])
    out["strike"] = None if values["strike"] in (None, "unknown") else values["strike"]
    out["activity"] = values["activity"]
    flags = int(values["flags"])
    out["impact_clipped"] = bool(flags & FLAG_IMPACT_CLIPPED)
    out["gyro_saturated"] = bool(flags & FLAG_GYRO_SATURATED)
    out["samples_dropped"] = bool(flags & FLAG_SAMPLES_DROPPED)
    return out


def summary_dict(p: Mapping[str, Any]) -> dict[str, Any]:
    """A SUMMARY payload (field names of frame_spec) as the replay JSON summary."""
    s = {k: (measured(v) if isinstance(v, float) else v) for k, v in p.items()}
    s["cadence_spm"] = s.pop("avg_cadence_spm")
    s["pace_s_per_km"] = s.pop("avg_pace_s_per_km")
    return s
