"""Where a recording's reference labels sit against landmarks of its own signal.

Datasets disagree on what "initial contact" means (motion capture, force plates, or another
IMU algorithm's output), so a constant offset between a detector and a dataset may be a
labelling convention rather than an error. This measures, for every labelled IC and TC, the
time from each signal landmark to the label (label minus landmark, ms; + = the label is later):

- ic_vs_swing_end: the end of the toes-up swing, the last gy crossing from < 0 (toes up) to
  >= 0 between 100 ms before and SWING_END_AFTER_S after the label (None when gy does not
  cross: a toes-up rotation running through contact);
- ic_vs_impact: the largest rise of |acc| between consecutive samples within IC_WINDOW_S;
- tc_vs_pushoff_peak: the largest toes-down rate (max gy) within TC_WINDOW_S before the label;
- tc_vs_reversal: the first gy crossing from > 0 to <= 0 after that peak.

Run `python -m scenarios.landmarks [CSV or scenario names]` for a table (default: every
recording in scenarios/data with labelled events, and a few catalog scenarios for reference).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .model import Recording

IC_WINDOW_S = (-0.10, 0.06)
"""Landmarks of an IC are looked for from 100 ms before to 60 ms after its label."""
TC_WINDOW_S = (-0.12, 0.03)
"""The push-off peak of a TC is looked for from 120 ms before to 30 ms after its label."""
SWING_END_AFTER_S = 0.015
"""A swing end later than this after the label is not the one that led to it."""
LANDMARKS = ("ic_vs_swing_end", "ic_vs_impact", "tc_vs_pushoff_peak", "tc_vs_reversal")


def _crossing(t: np.ndarray, y: np.ndarray, a: int, b: int, rising: bool) -> list[float]:
    """Interpolated times where y crosses 0 upward (rising) or downward within samples a..b."""
    out = []
    for i in range(max(a, 1), min(b, len(y))):
        if (rising and y[i - 1] < 0.0 <= y[i]) or (not rising and y[i - 1] > 0.0 >= y[i]):
            f = y[i - 1] / (y[i - 1] - y[i])
            out.append(float(t[i - 1] + f * (t[i] - t[i - 1])))
    return out


def ic_offsets_ms(rec: Recording, ic_s: float) -> dict[str, float | None]:
    """Label minus landmark (ms) for one labelled IC."""
    t, gy = rec.t_s, rec.gyro_dps[:, 1]
    a, b = np.searchsorted(t, [ic_s + IC_WINDOW_S[0], ic_s + IC_WINDOW_S[1]])
    ups = [x for x in _crossing(t, gy, int(a), int(b), rising=True) if x <= ic_s + SWING_END_AFTER_S]
    swing_end = ups[-1] if ups else None
    norm = np.linalg.norm(rec.acc_g[a:b], axis=1)
    impact = float(t[a + 1 + int(np.argmax(np.diff(norm)))]) if len(norm) > 2 else None
    return {
        "ic_vs_swing_end": None if swing_end is None else 1000.0 * (ic_s - swing_end),
        "ic_vs_impact": None if impact is None else 1000.0 * (ic_s - impact),
    }


def tc_offsets_ms(rec: Recording, tc_s: float) -> dict[str, float | None]:
    """Label minus landmark (ms) for one labelled TC."""
    t, gy = rec.t_s, rec.gyro_dps[:, 1]
    a, b = np.searchsorted(t, [tc_s + TC_WINDOW_S[0], tc_s + TC_WINDOW_S[1]])
    if b - a < 3:
        return {"tc_vs_pushoff_peak": None, "tc_vs_reversal": None}
    pk = int(a + np.argmax(gy[a:b]))
    downs = _crossing(t, gy, pk, pk + int(0.15 * rec.odr_hz), rising=False)
    return {
        "tc_vs_pushoff_peak": 1000.0 * (tc_s - float(t[pk])),
        "tc_vs_reversal": 1000.0 * (tc_s - downs[0]) if downs else None,
    }


@dataclass(frozen=True)
class Offsets:
    """Per landmark: (count, median, 10th and 90th percentile) of label minus landmark, ms."""

    name: str
    events: int
    stats: dict[str, tuple[int, float, float, float] | None]


def label_offsets(rec: Recording) -> Offsets:
    """Where the labelled ICs and TCs of a recording sit against its signal's landmarks."""
    values: dict[str, list[float]] = {k: [] for k in LANDMARKS}
    strides = rec.truth.strides if rec.truth is not None else ()
    for s in strides:
        got = ic_offsets_ms(rec, s.ic_s)
        if s.tc_s is not None:
            got.update(tc_offsets_ms(rec, s.tc_s))
        for k, v in got.items():
            if v is not None:
                values[k].append(v)
    stats: dict[str, tuple[int, float, float, float] | None] = {}
    for k, vs in values.items():
        if vs:
            arr = np.asarray(vs)
            stats[k] = (len(vs), float(np.median(arr)), float(np.percentile(arr, 10)), float(np.percentile(arr, 90)))
        else:
            stats[k] = None
    return Offsets(rec.name, len(strides), stats)


def format_offsets(rows: Sequence[Offsets]) -> str:
    """A table: median [10th..90th percentile] of label minus landmark per landmark, ms."""
    head = f"{'recording':<26}{'events':>7}" + "".join(f"{k:>26}" for k in LANDMARKS)
    lines = ["label minus signal landmark, ms: median [10th..90th percentile] (n)", head, "-" * len(head)]
    for r in rows:
        cells = []
        for k in LANDMARKS:
            s = r.stats.get(k)
            cells.append("-" if s is None else f"{s[1]:+.1f} [{s[2]:+.0f}..{s[3]:+.0f}] ({s[0]})")
        lines.append(f"{r.name[:26]:<26}{r.events:>7}" + "".join(f"{c:>26}" for c in cells))
    return "\n".join(lines)


def _no_labels(name: str) -> str:
    """Why a named recording or scenario gives no row, and what to do."""
    if name.endswith(".csv"):
        sidecar = Path(name).with_suffix(".truth.json").name
        return (f"no labelled strides (no IC in a truth sidecar {sidecar} beside it); label its contacts "
                "(strides with ic_s) or name a labelled recording")
    return "the scenario labels no strides; name a scenario with strides (rig list shows the catalog)"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table for CSVs or scenario names; exit 2 on a bad name or file."""
    from .catalog import synthesize
    from .datasets import list_datasets
    from .errors import RecordingError, UnknownScenarioError
    from .input_file import show_bytes_on
    from .recording_csv import read_recording

    show_bytes_on(sys.stdout, sys.stderr)  # a file name that is not UTF-8 ended the table in a UnicodeEncodeError

    # argparse: --help printed "unknown scenario '--help'" with exit 2
    ap = argparse.ArgumentParser(prog="python -m scenarios.landmarks", description=(__doc__ or "").split("\n\n", 1)[0])
    ap.add_argument("names", nargs="*", metavar="CSV|SCENARIO",
                    help="recordings (FILE.csv, with NAME.truth.json beside it) or catalog scenarios; default: every "
                         "recording in scenarios/data with labelled events and a few catalog scenarios")
    words = list(sys.argv[1:] if argv is None else argv)
    parsed, extra = ap.parse_known_args(words)
    for word in extra:
        # argparse took -w.csv for an option: 'unrecognized arguments: -w.csv', the recording unnamed
        if not (word.endswith(".csv") or Path(word).exists()):
            ap.error(f"{word}: no option of this tool, and no recording (FILE.csv) there; to name a scenario or "
                     f"file whose name starts with -, write ./{word} or put -- before it")
    named_words = set(parsed.names) | set(extra)
    names = [w for w in (words[:words.index("--")] + words[words.index("--") + 1:] if "--" in words else words)
             if w in named_words]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        # a name given twice printed its row twice, as if two recordings agreed
        ap.error(f"{', '.join(twice)} given twice; give each recording or scenario once")
    named = bool(names)  # a recording or scenario the user named must have labels; the defaults may lack them
    if not names:
        names = [str(p) for p in list_datasets()] + ["walk", "steady_run", "forefoot_striker"]
    rows = []
    try:
        for n in names:
            rec = read_recording(Path(n)) if n.endswith(".csv") else synthesize(n)
            if rec.truth is not None and rec.truth.strides:
                rows.append(label_offsets(rec))
            elif named:
                # it printed an empty table with exit 0, as if the labels sat nowhere
                print(f"landmarks: {n}: {_no_labels(n)}", file=sys.stderr)
                return 2
    except (RecordingError, UnknownScenarioError) as exc:
        print(f"landmarks: {exc}", file=sys.stderr)
        return 2
    print(format_offsets(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
