"""Recording CSV and its truth sidecar: read and write.

CSV: optional `#` comment lines, then the header `t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps`
(columns in any order, extra columns ignored), then one sample a row. t_s must increase
strictly; every value must be a finite number.

Sidecar `NAME.truth.json` beside `NAME.csv`, in one of two formats:

- Ours (written by `write_recording`): `{"format": "stridelab-truth", "strides": [...],
  "label_windows_s": [[start, end], ...], "distance_m", "activity_s", "meta"}`; stride keys are
  the StrideTruth fields.
- Labelled real recordings (shared data): `events` [{ic_s, tc_s}] become one StrideTruth each
  (gct_ms = TC - IC when both are known; stride_ms = next IC - IC for consecutive labelled ICs
  inside one label window; activity from the file's `activity` when it is one activity);
  `label_window_s` / `label_windows_s` become Truth.label_windows_s. Every other key
  (step_count, stride_borders_s, footprints_m, zero_velocity_anchors_s, source, license, ...)
  is kept in Truth.meta. A file without `events` (no IC labels) gives no strides and no label
  windows, so IC detections cannot be scored as hits or false alarms there; stride detection
  is scored against meta["stride_borders_s"] and meta["step_count"] instead
  (see `datasets.score_stride_borders`). distance_m is the footprint path when footprints_m
  are given.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from .errors import RecordingError
from .model import Recording, StrideTruth, Truth

COLUMNS = ("t_s", "ax_g", "ay_g", "az_g", "gx_dps", "gy_dps", "gz_dps")
TRUTH_FORMAT = "stridelab-truth"
_ACTIVITY_WORDS = {"walking": "walk", "walk": "walk", "running": "run", "run": "run", "still": "still", "stairs": "stairs"}


def truth_path(csv_path: Path) -> Path:
    """The sidecar of NAME.csv: NAME.truth.json in the same folder."""
    csv_path = Path(csv_path)
    return csv_path.with_name(csv_path.stem + ".truth.json")


def _fail(path: Path, line: int | None, what: str, todo: str) -> RecordingError:
    where = f"{path}" if line is None else f"{path}, line {line}"
    return RecordingError(f"{where}: {what}; {todo}")


def _header(path: Path, lines: list[str]) -> tuple[int, list[str]]:
    """Index of the header line and its column names."""
    for i, raw in enumerate(lines):
        s = raw.strip()
        if not s or s.startswith("#"):
            continue
        return i, [c.strip() for c in s.split(",")]
    raise _fail(
        path, len(lines) + 1, "empty file: no header line",
        "write the header " + ",".join(COLUMNS) + " then one sample a row",
    )


def _scan_rows(path: Path, rows: list[tuple[int, str]], names: list[str]) -> None:
    """Find the first malformed row and raise for it (the slow path after a failed parse)."""
    for line_no, raw in rows:
        fields = raw.split(",")
        if len(fields) != len(names):
            raise _fail(
                path, line_no, f"{len(fields)} fields where the header has {len(names)}",
                "give every row one value per header column",
            )
        for name, f in zip(names, fields):
            try:
                float(f)
            except ValueError:
                raise _fail(
                    path, line_no, f"column {name}: {f.strip()!r} is not a number",
                    "write plain decimal numbers (e.g. 0.0123)",
                ) from None


def _read_samples(path: Path) -> np.ndarray:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise _fail(path, None, f"cannot read the file ({exc.strerror})", "check the path") from exc
    except UnicodeDecodeError as exc:
        raise _fail(path, None, "not UTF-8 text", "give a CSV text file") from exc
    lines = text.splitlines()
    h, names = _header(path, lines)
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise _fail(
            path, h + 1, f"header lacks column(s) {', '.join(missing)} (found {','.join(names)})",
            "the header must hold " + ",".join(COLUMNS),
        )
    rows = [(i + 1, s) for i, s in enumerate(lines[h + 1 :], start=h + 1) if s.strip() and not s.lstrip().startswith("#")]
    if not rows:
        raise _fail(path, h + 1, "no samples after the header", "add one row per sample")
    try:
        data = np.loadtxt([s for _, s in rows], delimiter=",", ndmin=2, dtype=float)
        if data.shape[1] != len(names):
            raise ValueError
    except ValueError:
        _scan_rows(path, rows, names)
        raise _fail(path, None, "rows could not be parsed", "check the delimiter is a comma") from None
    cols = data[:, [names.index(c) for c in COLUMNS]]
    bad = ~np.isfinite(cols)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise _fail(
            path, rows[r][0], f"column {COLUMNS[c]} is {float(cols[r, c])} (NaN or infinite)",
            "drop the row or fill the value; the rig needs finite samples",
        )
    dt = np.diff(cols[:, 0])
    if (dt <= 0).any():
        r = int(np.flatnonzero(dt <= 0)[0]) + 1
        raise _fail(
            path, rows[r][0],
            f"t_s={float(cols[r, 0])!r} is not after the previous row's t_s={float(cols[r - 1, 0])!r} (line {rows[r - 1][0]})",
            "times must increase strictly: sort the rows and drop duplicates",
        )
    return cols


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def _activity(word: Any) -> str | None:
    return _ACTIVITY_WORDS.get(str(word).lower()) if word is not None else None


def _windows(doc: dict[str, Any]) -> tuple[tuple[float, float], ...]:
    if "label_windows_s" in doc:
        return tuple((float(a), float(b)) for a, b in doc["label_windows_s"])
    if "label_window_s" in doc:
        a, b = doc["label_window_s"]
        return ((float(a), float(b)),)
    return ()


def _external_truth(doc: dict[str, Any]) -> Truth:
    """Truth from a labelled real recording (events, label windows, stride borders...)."""
    windows = _windows(doc)
    events = sorted(doc.get("events", []), key=lambda e: e["ic_s"])
    act = _activity(doc.get("activity"))

    def window_of(t: float) -> int | None:
        for i, (a, b) in enumerate(windows):
            if a - 1e-6 <= t <= b + 1e-6:
                return i
        return None

    strides = []
    for k, e in enumerate(events):
        ic, tc = float(e["ic_s"]), _num(e.get("tc_s"))
        stride_ms = None
        if k + 1 < len(events):
            nxt = float(events[k + 1]["ic_s"])
            w = window_of(ic)
            if w is not None and window_of(nxt) == w:
                stride_ms = 1000.0 * (nxt - ic)
        gct_ms = None if tc is None else 1000.0 * (tc - ic)
        strides.append(StrideTruth(ic_s=ic, tc_s=tc, gct_ms=gct_ms, stride_ms=stride_ms, activity=act))
    distance_m = None
    if doc.get("footprints_m"):
        fp = np.asarray(doc["footprints_m"], dtype=float)
        distance_m = float(np.hypot(*np.diff(fp[:, :2], axis=0).T).sum())
    skip = {"events", "label_window_s", "label_windows_s"}
    meta = {k: v for k, v in doc.items() if k not in skip}
    meta["truth_format"] = "external"
    return Truth(strides=tuple(strides), label_windows_s=windows, distance_m=distance_m, meta=meta)


def _own_truth(doc: dict[str, Any]) -> Truth:
    fields = StrideTruth.__dataclass_fields__
    strides = tuple(
        StrideTruth(**{k: v for k, v in s.items() if k in fields}) for s in doc.get("strides", [])
    )
    return Truth(
        strides=strides,
        label_windows_s=_windows(doc),
        distance_m=_num(doc.get("distance_m")),
        activity_s=dict(doc.get("activity_s", {})),
        meta=dict(doc.get("meta", {})),
    )


def read_truth(path: Path) -> Truth:
    """Read a truth sidecar in either format (see the module docstring)."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(path, None, f"cannot read the truth file ({exc.strerror})", "check the path") from exc
    except json.JSONDecodeError as exc:
        raise _fail(path, exc.lineno, f"invalid JSON ({exc.msg})", "fix the JSON or remove the sidecar") from exc
    if not isinstance(doc, dict):
        raise _fail(path, 1, "the truth file is not a JSON object", "write an object with strides or events")
    try:
        return _own_truth(doc) if doc.get("format") == TRUTH_FORMAT or "strides" in doc else _external_truth(doc)
    except (KeyError, TypeError, ValueError) as exc:
        raise _fail(path, None, f"unexpected truth content ({exc!r})", "compare with a file written by write_recording") from exc


def read_recording(path: Path) -> Recording:
    """Read a recording CSV (and NAME.truth.json beside it when present).

    odr_hz is the median sample rate of the file. Raises RecordingError naming the file, the
    line and what to change.
    """
    path = Path(path)
    cols = _read_samples(path)
    dt = np.diff(cols[:, 0])
    odr_hz = float(1.0 / np.median(dt)) if len(dt) else 0.0
    truth = None
    accel_fs_g, gyro_fs_dps = 16.0, 2000.0
    side = truth_path(path)
    if side.exists():
        truth = read_truth(side)
        accel_fs_g = float(truth.meta.get("accel_fs_g", accel_fs_g))
        gyro_fs_dps = float(truth.meta.get("gyro_fs_dps", gyro_fs_dps))
    return Recording(
        name=path.stem,
        odr_hz=odr_hz,
        t_s=cols[:, 0].copy(),
        acc_g=cols[:, 1:4].copy(),
        gyro_dps=cols[:, 4:7].copy(),
        truth=truth,
        accel_fs_g=accel_fs_g,
        gyro_fs_dps=gyro_fs_dps,
    )


def _jsonable(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (np.floating, np.integer)):
        return _jsonable(v.item())
    if isinstance(v, np.ndarray):
        return [_jsonable(x) for x in v.tolist()]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def truth_to_dict(truth: Truth, rec: Recording | None = None) -> dict[str, Any]:
    """Our sidecar format as a JSON-ready dict."""
    meta = dict(truth.meta)
    if rec is not None:
        meta.update(odr_hz=rec.odr_hz, accel_fs_g=rec.accel_fs_g, gyro_fs_dps=rec.gyro_fs_dps)
    return _jsonable(
        {
            "format": TRUTH_FORMAT,
            "version": 1,
            "strides": [s.to_dict() for s in truth.strides],
            "label_windows_s": [list(w) for w in truth.label_windows_s],
            "distance_m": truth.distance_m,
            "activity_s": truth.activity_s,
            "meta": meta,
        }
    )


def write_recording(rec: Recording, csv_path: Path) -> None:
    """Write the recording CSV and, when it has truth, NAME.truth.json beside it."""
    csv_path = Path(csv_path)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    data = np.column_stack([rec.t_s, rec.acc_g, rec.gyro_dps])
    header = (
        f"# stridelab recording {rec.name}\n"
        f"# odr_hz={rec.odr_hz:g} accel_fs_g={rec.accel_fs_g:g} gyro_fs_dps={rec.gyro_fs_dps:g}\n"
        + ",".join(COLUMNS)
    )
    np.savetxt(
        csv_path, data, delimiter=",", header=header, comments="",
        fmt=["%.6f", "%.7f", "%.7f", "%.7f", "%.5f", "%.5f", "%.5f"],
    )
    if rec.truth is not None:
        truth_path(csv_path).write_text(json.dumps(truth_to_dict(rec.truth, rec), indent=1) + "\n", encoding="utf-8")
