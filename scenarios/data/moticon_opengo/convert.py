"""Convert the Moticon OpenGo insole walks (moticon-rego/moticon-opengo, tests/testdata/*.txt) to recording CSVs.

Each text export holds both insoles of one walk at 100 Hz: 16 pressure cells, a 6-axis IMU (acceleration in g,
angular rate in deg/s) moulded into the insole under the arch, the total force and the centre of pressure, and
the app's step events (`left steps[]`: 11 heel strike, 15 toe off; `right steps[]`: 21 and 25), which the app
derives from the insole's pressure cells, not from its IMU. One recording is written per insole:
NAME_left.csv / NAME_right.csv with a NAME_FOOT.truth.json beside it.

Run from the repository root with the three exports in a folder:

    python scenarios/data/moticon_opengo/convert.py --src FOLDER

The axis mapping is the identity (see `EVIDENCE`, measured on the data by `frame_evidence`); the tilt correction
turns the mean acceleration of the standing start onto +z, as for the other recordings under scenarios/data.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = "https://github.com/moticon-rego/moticon-opengo"
COMMIT = "086e04585f59caa4a12e1f7959a5a8a1a09c6f30"
LICENSE = ("Apache-2.0 (the repository's LICENSE covers the whole repository, tests/testdata included; "
           "Copyright Moticon ReGo AG)")
#: Export file, the app's tag, and the name the recordings get.
WALKS = (("230927_102114.txt", "normal", "walk_normal"),
         ("230927_102137.txt", "slow", "walk_slow"),
         ("230927_102231.txt", "fast", "walk_fast"))
#: Step-event codes of the `steps[]` columns: (initial contact, toe off) per foot.
STEP_CODES = {"left": (11.0, 15.0), "right": (21.0, 25.0)}
RATE_HZ = 100.0
#: Length of the standing start (from the insole's first sample) used for the tilt correction, s.
STANDING_LEN_S = 0.5
#: Total-force thresholds of the cross-check of the app's events, N (on above ON, off below OFF).
FORCE_ON_N, FORCE_OFF_N = 30.0, 30.0


@dataclass(frozen=True)
class Foot:
    """One insole of one export: its rows with IMU data (the app leaves the rows it did not receive empty)."""

    t_s: np.ndarray        # (n,) s
    acc_g: np.ndarray      # (n, 3) insole frame, g
    gyr_dps: np.ndarray    # (n, 3) insole frame, deg/s
    force_n: np.ndarray    # (n,) total force, N
    ic_s: np.ndarray       # app's heel strikes, s
    tc_s: np.ndarray       # app's toe offs, s
    rows_total: int
    rows_missing: int


def read_export(path: Path) -> tuple[list[str], np.ndarray]:
    """The column names (from the `# time ...` header) and the rows of a text export; empty fields are NaN."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("# time"))[2:].split("\t")
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    out = np.full((len(rows), len(header)), np.nan)
    for i, row in enumerate(rows):
        for j, field in enumerate(row[: len(header)]):
            field = field.strip()
            if field:
                out[i, j] = float(field)
    return header, out


def foot_of(names: list[str], rows: np.ndarray, side: str) -> Foot:
    """The rows of one insole that carry IMU data, and the app's step events of that foot."""
    col = {n: i for i, n in enumerate(names)}
    acc = rows[:, [col[f"{side} acceleration {a}[g]"] for a in "XYZ"]]
    gyr = rows[:, [col[f"{side} angular {a}[dps]"] for a in "XYZ"]]
    force = rows[:, col[f"{side} total force[N]"]]
    steps = rows[:, col[f"{side} steps[]"]]
    t = rows[:, col["time"]]
    ok = np.isfinite(acc).all(axis=1) & np.isfinite(gyr).all(axis=1) & np.isfinite(force)
    ic_code, tc_code = STEP_CODES[side]
    return Foot(t[ok], acc[ok], gyr[ok], force[ok], t[steps == ic_code], t[steps == tc_code],
                len(t), int((~ok).sum()))


def tilt_correction(acc_g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The smallest rotation taking the mean of acc_g onto +z: (matrix, rotation vector in degrees)."""
    g = acc_g.mean(axis=0)
    g = g / np.linalg.norm(g)
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(g, z)
    s = float(np.linalg.norm(axis))
    angle = math.atan2(s, float(g @ z))
    if s < 1e-12:
        return np.eye(3), np.zeros(3)
    k = axis / s
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    r = np.eye(3) + math.sin(angle) * kx + (1.0 - math.cos(angle)) * kx @ kx
    return r, np.degrees(k * angle)


def force_contacts(foot: Foot, min_s: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Contact starts and ends from the total force alone (first sample above FORCE_ON_N, first below
    FORCE_OFF_N), for the cross-check of the app's events. Unloaded gaps shorter than min_s are bridged and loaded
    blips shorter than min_s dropped (the force of a swinging insole flickers past 30 N for 10-30 ms)."""
    on = foot.force_n > FORCE_ON_N
    d = np.diff(on.astype(int))
    starts, ends = list(foot.t_s[1:][d == 1]), list(foot.t_s[1:][d == -1])
    if ends and starts and ends[0] < starts[0]:
        ends = ends[1:]
    pairs = [[a, b] for a, b in zip(starts, ends)]
    merged: list[list[float]] = []
    for a, b in pairs:
        if merged and a - merged[-1][1] < min_s:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    kept = [(a, b) for a, b in merged if b - a >= min_s]
    return np.array([a for a, _ in kept]), np.array([b for _, b in kept])


def pair_events(ic_s: np.ndarray, tc_s: np.ndarray) -> list[dict[str, float | None]]:
    """One event per app heel strike, with the app's toe off that follows it before the next heel strike."""
    events: list[dict[str, float | None]] = []
    for i, ic in enumerate(ic_s):
        nxt = ic_s[i + 1] if i + 1 < len(ic_s) else math.inf
        tcs = tc_s[(tc_s > ic) & (tc_s < nxt)]
        events.append({"ic_s": round(float(ic), 3), "tc_s": round(float(tcs[0]), 3) if len(tcs) else None})
    return events


def nearest_offsets_ms(labels: np.ndarray, others: np.ndarray, window_s: float = 0.1) -> list[float]:
    """others - label for each label with an `others` time within window_s, ms."""
    out = []
    for x in labels:
        if len(others):
            d = others - x
            j = int(np.argmin(np.abs(d)))
            if abs(d[j]) <= window_s:
                out.append(round(float(d[j]) * 1000.0, 1))
    return out


def standing_window(foot: Foot) -> tuple[float, float]:
    """The standing start of an insole: its first STANDING_LEN_S of data (the left insole's data begin ~0.5 s late)."""
    t0 = float(foot.t_s[0])
    return t0, round(t0 + STANDING_LEN_S, 2)


def frame_evidence(foot: Foot, acc_shoe: np.ndarray, gyr_shoe: np.ndarray, ic_s: np.ndarray,
                   tc_s: np.ndarray) -> dict[str, Any]:
    """What fixes the axes, measured in the shoe frame written out: gravity at rest, the sign of gy in the push-off
    before each toe off, in the swing after it and in the foot slap after each heel strike, and, in each heel rise
    (from the quietest sample of the stance to 60 ms before toe off, slow enough for the accelerometer to read
    gravity), the toes-down pitch change seen by the accelerometer, atan2(-ax, az), against the integral of gy."""
    t = foot.t_s

    def window(t0: float, t1: float) -> np.ndarray:
        return (t >= t0) & (t < t1)

    def mean_gy(t0: float, t1: float) -> float | None:
        m = window(t0, t1)
        return round(float(gyr_shoe[m, 1].mean())) if m.any() else None

    rise = []
    for ic in ic_s:
        later = tc_s[tc_s > ic]
        if not len(later):
            continue
        stance = np.where(window(ic + 0.05, later[0] - 0.06))[0]
        if len(stance) < 5:
            continue
        i0 = int(stance[np.argmin(np.linalg.norm(gyr_shoe[stance], axis=1))])
        i1 = int(stance[-1])
        pitch = np.degrees(np.arctan2(-acc_shoe[[i0, i1], 0], acc_shoe[[i0, i1], 2]))
        gy_int = float(np.sum(gyr_shoe[i0:i1, 1] * np.diff(t[i0:i1 + 1])))
        rise.append([round(float(pitch[1] - pitch[0]), 1), round(gy_int, 1)])
    return {
        "standing_acc_g_before_tilt_correction": [round(float(v), 3)
                                                  for v in foot.acc_g[window(*standing_window(foot))].mean(axis=0)],
        "gy_mean_dps_last_100ms_before_toe_off": [mean_gy(tc - 0.1, tc) for tc in tc_s],
        "gy_mean_dps_50_200ms_after_toe_off": [mean_gy(tc + 0.05, tc + 0.2) for tc in tc_s],
        "gy_mean_dps_first_100ms_after_heel_strike": [mean_gy(ic, ic + 0.1) for ic in ic_s],
        "heel_rise_pitch_from_acc_vs_integral_gy_deg": rise,
    }


def convert_foot(src: Path, walk: str, tag: str, side: str) -> tuple[np.ndarray, dict[str, Any]]:
    """Rows of the recording CSV (t_s, acc g, gyr dps in the shoe frame) and the truth sidecar of one insole."""
    names, rows = read_export(src)
    foot = foot_of(names, rows, side)
    mapping = np.eye(3)  # insole X toes, Y left, Z up: the shoe frame already (EVIDENCE)
    stand = standing_window(foot)
    tilt, rotvec = tilt_correction(foot.acc_g[(foot.t_s >= stand[0]) & (foot.t_s < stand[1])] @ mapping.T)
    full = tilt @ mapping
    acc = foot.acc_g @ full.T
    gyr = foot.gyr_dps @ full.T
    events = pair_events(foot.ic_s, foot.tc_s)
    f_on, f_off = force_contacts(foot)
    ic_labels = np.array([e["ic_s"] for e in events], dtype=float)
    tc_labels = np.array([e["tc_s"] for e in events if e["tc_s"] is not None], dtype=float)
    window = [float(ic_labels[0]), float(ic_labels[-1])]
    inside = f_on[(f_on >= window[0] - 0.05) & (f_on <= window[1] + 0.05)]
    unmatched = [round(float(x), 2) for x in inside if np.min(np.abs(ic_labels - x)) > 0.1]
    evidence = frame_evidence(foot, acc, gyr, ic_labels, tc_labels)
    sidecar: dict[str, Any] = {
        "source": f"{REPO} @ {COMMIT}, tests/testdata/{walk} ('{side}' insole columns)",
        "license": LICENSE,
        "sample_rate_hz": RATE_HZ,
        "sample_rate_note": ("nominal 100 Hz; t_s is the export's time column; rows the app left empty for this insole "
                             f"(samples it did not receive: {foot.rows_missing} of {foot.rows_total}) are left out, "
                             "so they read as dropped samples"),
        "activity": "walking",
        "description": (f"Moticon OpenGo sensor insoles (size 7), a short walk tagged '{tag}' in the OpenGo app "
                        "(notes: 'Some walking steps'), starting and ending standing; the 6-axis IMU sits inside "
                        "the insole under the foot"),
        "foot": side,
        "events": events,
        "events_reference": "pressure_insole",
        "events_definition": (
            "ic_s = heel strike, tc_s = toe off of the same contact, from the app's step events exported with the "
            f"recording ('{side} steps[]' column, codes {STEP_CODES[side][0]:g} heel strike and "
            f"{STEP_CODES[side][1]:g} toe off); the app detects them from the insole's 16 pressure cells, not from "
            "its IMU. tc_s null when the app gave no toe off before the next heel strike."),
        "reference_cross_check": {
            "what": (f"the app's events against the insole's total force alone (contact start: first sample above "
                     f"{FORCE_ON_N:g} N; end: first sample below {FORCE_OFF_N:g} N), nearest within 100 ms, "
                     "force time minus label, ms"),
            "ic_offsets_ms": nearest_offsets_ms(ic_labels, f_on),
            "tc_offsets_ms": nearest_offsets_ms(tc_labels, f_off),
            "force_contact_starts_in_window_without_label_s": unmatched,
        },
        "label_windows_s": [window],
        "label_window_note": (
            "from the first to the last heel strike the app labelled: every ground contact of this foot in between "
            "has its heel strike labelled (checked against the total force, reference_cross_check). Not labelled: "
            "the weight shifts of the standing start and the stopping step, which the app leaves out"),
        "step_count": len(events),
        "step_count_definition": "number of heel strikes of this foot inside label_windows_s",
        "frame_conversion": {
            "axis_mapping": (
                "OpenGo insole IMU axes X, Y, Z (export columns '<side> acceleration X/Y/Z[g]', "
                "'<side> angular X/Y/Z[dps]') are already the shoe frame: X toward the toes, Y to the wearer's left, "
                "Z up out of the sole, the same for both insoles; identity mapping. Units already g and deg/s. "
                "Evidence (frame_evidence): at rest gravity reads +0.97 g on Z (with -0.19 g on X: the insole "
                "slopes down toward the toes in the shoe); gy is positive in the push-off before every toe off "
                "(heel rising, toes down) and negative in the swing after it (toes up), and positive in the "
                "foot slap after the heel strike; the centre of pressure runs from -0.35 (heel) at heel strike to "
                "+0.33 (toes) at toe off on its X axis; and in every heel rise the toes-down pitch the accelerometer "
                "reads, atan2(-ax, az), grows as the integral of gy does (evidence: heel_rise_..., [acc, gyro] "
                "pairs), the sign of a right-handed X-toes, Y-left, Z-up frame"),
            "axis_mapping_matrix_shoe_from_source": np.eye(3).tolist(),
            "tilt_correction_rotvec_deg": [round(float(v), 2) for v in rotvec],
            "tilt_correction_angle_deg": round(float(np.linalg.norm(rotvec)), 2),
            "tilt_correction_matrix": [[round(float(v), 6) for v in row] for row in tilt],
            "tilt_correction_from_standing_window_s": list(stand),
            "full_transform": "v_shoe = tilt_correction_matrix @ axis_mapping_matrix_shoe_from_source @ v_source",
            "evidence": evidence,
        },
        "range_note": (f"largest |a| {float(np.abs(foot.acc_g).max()):.2f} g, largest |w| "
                       f"{float(np.abs(foot.gyr_dps).max()):.0f} deg/s in this recording"),
    }
    table = np.column_stack([foot.t_s, acc, gyr])
    return table, sidecar


def write(out_dir: Path, name: str, table: np.ndarray, sidecar: dict[str, Any]) -> None:
    """NAME.csv and NAME.truth.json in out_dir, each written whole or not at all: both are written beside their
    names first, then renamed onto them. Written in place, a full disk left half a recording (read as a shorter
    walk) or a new recording beside the old truth."""
    lines = ["t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps"]
    for r in table:
        lines.append(f"{r[0]:.2f},{r[1]:.6f},{r[2]:.6f},{r[3]:.6f},{r[4]:.3f},{r[5]:.3f},{r[6]:.3f}")
    texts = {out_dir / f"{name}.csv": "\n".join(lines) + "\n",
             out_dir / f"{name}.truth.json": json.dumps(sidecar, indent=1) + "\n"}
    parts = {path: path.with_name(f".{path.name}.part") for path in texts}
    try:
        for path, text in texts.items():
            parts[path].write_text(text, encoding="utf-8")
        for path, part in parts.items():
            part.replace(path)
    finally:
        for part in parts.values():
            part.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Convert the three walks, both insoles each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, required=True, help="folder holding the three text exports")
    parser.add_argument("--out", type=Path, default=HERE, help="where the CSVs and sidecars go (default: here)")
    args = parser.parse_args(argv)
    missing = [walk for walk, _, _ in WALKS if not (args.src / walk).is_file()]
    if missing:  # a traceback before (FileNotFoundError, NotADirectoryError)
        parser.error(f"--src {args.src}: holds no {', '.join(missing)}; give the folder holding the three OpenGo "
                     f"text exports (tests/testdata of {REPO})")
    converted = []
    for walk, tag, name in WALKS:  # every export read before any file is written: none is left half-replaced
        for side in ("left", "right"):
            try:
                converted.append((f"{name}_{side}", *convert_foot(args.src / walk, walk, tag, side)))
            except (OSError, ValueError, KeyError, IndexError, StopIteration) as exc:
                print(f"convert: {args.src / walk}: not an OpenGo text export as this converter reads it "
                      f"({type(exc).__name__}: {str(exc)[:120]}); give the export of {REPO} @ {COMMIT[:12]}",
                      file=sys.stderr)
                return 2
    try:
        for name, table, sidecar in converted:
            write(args.out, name, table, sidecar)
    except OSError as exc:
        print(f"convert: --out {args.out}: cannot write the recordings ({exc.strerror}); give a writable folder",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
