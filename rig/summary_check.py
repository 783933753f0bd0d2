"""The SUMMARY frame's figures against what the analyzer always knows, and the STRIDE frames' against what no
stride can have.

The analyzer's summary (firmware_c/gait: gait_get_summary) always measures the distance, the
duration and the time spent in each activity (0 is a measurement); the pace is NaN only when no
distance was covered, the cadence only when no stride measured one. A SUMMARY of NaN where the
analyzer must have a figure is a corrupt report, not a run to judge ("0x real time" from a NaN
duration).
"""

from __future__ import annotations

from collections.abc import Sequence

from rig.records import RunResult, Stride, Summary

#: Summary fields the analyzer measures on every run.
ALWAYS_MEASURED: tuple[str, ...] = ("distance_m", "duration_s", "still_s", "walk_s", "run_s", "stairs_s")
#: Summary fields no run can make negative: a distance, times, a pace, a cadence.
NEVER_NEGATIVE: tuple[str, ...] = ("distance_m", "still_s", "walk_s", "run_s", "stairs_s", "pace_s_per_km",
                                   "cadence_spm")
#: How far a SUMMARY's duration may be from the span of the samples sent: a share of it, and seconds (the last
#: samples of an analyzer that reads every n-th sample, float32 rounding over a long run).
DURATION_SLACK = 0.01
DURATION_SLACK_S = 0.25


def summary_problems(summary: Summary, strides: Sequence[Stride], samples_sent: int, span_s: float | None = None,
                     samples_lost: int = 0) -> list[str]:
    """What is wrong with a SUMMARY's figures, as sentences (empty when nothing). span_s: the sensor time the
    samples a replay sent span (None: not known); samples_lost: how many of them the link lost."""
    out: list[str] = []
    lacking = [k for k in ALWAYS_MEASURED if summary[k] is None]
    if lacking:
        out.append(f"the SUMMARY reports no {', '.join(lacking)} (NaN): the analyzer measures "
                   f"{'them' if len(lacking) > 1 else 'it'} on every run, so the SUMMARY is corrupt")
    if summary.duration_s is not None and summary.duration_s <= 0.0 and samples_sent > 0:
        out.append(f"the SUMMARY's duration_s is {summary.duration_s:g} s after {samples_sent} samples were sent")
    if summary.distance_m is not None and summary.distance_m > 0.0 and summary.pace_s_per_km is None:
        out.append(f"the SUMMARY reports {summary.distance_m:.1f} m covered but no pace_s_per_km (NaN)")
    for k in NEVER_NEGATIVE:
        if summary[k] is not None and summary[k] < 0.0:
            out.append(f"the SUMMARY's {k} is {summary[k]:g}, below 0, which no run can give: the SUMMARY is corrupt")
    if span_s is not None and summary.duration_s is not None:
        # the analyzer's duration runs from the first sample it analysed to the last: never longer than the
        # samples sent span, nor shorter when the link lost none of them
        slack_s = DURATION_SLACK * span_s + DURATION_SLACK_S
        if summary.duration_s > span_s + slack_s:
            out.append(f"the SUMMARY's duration_s is {summary.duration_s:g} s, but the samples sent span {span_s:.3f} s: "
                       "the analyzer cannot have seen more time than it was sent, so the SUMMARY is corrupt")
        elif 0.0 < summary.duration_s < span_s - slack_s and samples_lost == 0:
            out.append(f"the SUMMARY's duration_s is {summary.duration_s:g} s, but the samples sent span {span_s:.3f} s "
                       "and the firmware acknowledged every one: the SUMMARY is corrupt")
    with_cadence = sum(s.cadence_spm is not None for s in strides)
    if with_cadence and summary.cadence_spm is None:
        out.append(f"the SUMMARY reports no cadence_spm (NaN) though {with_cadence} STRIDE frame(s) measured one")
    return out


#: STRIDE fields no stride can make negative (the analyzer's times, rates, distance, speed, impact magnitude).
STRIDE_NEVER_NEGATIVE: tuple[str, ...] = ("gct_ms", "flight_ms", "stride_ms", "cadence_spm", "duty_factor", "stride_m",
                                          "speed_mps", "peak_impact_g")
#: How far a STRIDE's gct_ms may be from its own tc - ic: a share of it (a sensor clock a few percent off the
#: nominal one its times are placed on), and milliseconds (the microsecond times' rounding).
GCT_SLACK = 0.05
GCT_SLACK_MS = 2.0
#: Strides named one by one among those with such figures; the rest are counted.
SHOWN_STRIDES = 10


def stride_problems(strides: Sequence[Stride]) -> list[str]:
    """What no stride can have in the STRIDE frames' figures, as sentences (empty when nothing): a negative
    time, rate, distance, speed or impact, a contact time other than its own toe-off less its contact."""
    out: list[str] = []
    for s in strides:
        why = [f"{k} {s[k]:g} is below 0" for k in STRIDE_NEVER_NEGATIVE if s[k] is not None and s[k] < 0.0]
        if s.gct_ms is not None and s.tc_s is not None:
            own_ms = (s.tc_s - s.ic_s) * 1000.0
            if abs(s.gct_ms - own_ms) > GCT_SLACK * abs(own_ms) + GCT_SLACK_MS:
                why.append(f"gct_ms {s.gct_ms:g} is not its own tc - ic ({own_ms:.1f} ms)")
        if why:
            out.append(f"stride_no {s.stride_no}: {', '.join(why)}, which no stride can have: the STRIDE is corrupt")
    if len(out) > SHOWN_STRIDES:
        out[SHOWN_STRIDES:] = [f"{len(out) - SHOWN_STRIDES} more STRIDE frame(s) with figures no stride can have "
                               "(the replay JSON holds them)"]
    return out


def result_problems(result: RunResult) -> list[str]:
    """What is wrong with a run's STRIDE figures (stride_problems) and its SUMMARY (summary_problems), for a run
    judged with no truth (rig replay) as for one with (a SUMMARY's absence is judged apart)."""
    out = stride_problems(result.strides)
    if result.summary is None and result.corrupt_summary:
        out.append(f"{result.corrupt_summary}; no figure of it is taken")
    if result.summary is not None:
        out += summary_problems(result.summary, result.strides, result.samples_sent, result.span_s,
                                result.samples_lost)
    return out
