"""Recording CSV and its truth sidecar: read and write.

CSV: optional `#` comment lines, then the header `t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps`
(columns in any order, each once; extra columns ignored), then one sample a row. t_s must increase
strictly, but for a row that repeats an earlier one exactly (read once, with a note); every value must be a
finite number. What spreadsheets and other loggers write for the same
columns is read too (see `_header`): fields separated by semicolons (decimal commas then allowed) or
tabs, quoted, names in capitals, and units in brackets (`ax_g [g]`; `ax [m/s^2]`, `t [ms]`, `gx [rad/s]`
are converted from the unit they declare).

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

import csv
import dataclasses
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from .errors import RecordingError
from .input_file import excerpt, finite_float, is_stdin, read_lines
from .whole_file import write_whole
from .input_file import fail as _fail
from .datasets import border_intervals
from .model import Recording, Truth
from .truth_sidecar import ACCEL_FS_G, GYRO_FS_DPS, TRUTH_FORMAT, read_truth

__all__ = ["COLUMNS", "TRUTH_FORMAT", "RecordingError", "read_recording", "read_truth", "truth_path",
           "truth_to_dict", "write_recording"]

COLUMNS = ("t_s", "ax_g", "ay_g", "az_g", "gx_dps", "gy_dps", "gz_dps")


def truth_path(csv_path: Path) -> Path:
    """The sidecar of NAME.csv: NAME.truth.json in the same folder."""
    csv_path = Path(csv_path)
    return csv_path.with_name(csv_path.stem + ".truth.json")


#: Sample rates a recording may have, Hz (as for synthesized ones).
ODR_RANGE_HZ = (10.0, 10000.0)
#: Most samples in one recording (5.6 h at 416 Hz); the samples take 56 bytes each in memory.
MAX_SAMPLES = 1 << 23
#: The sensor sample index travels as u32, and times as u32 microseconds that the rig unwraps
#: in order: a recording may not span more indices, nor skip more time between two rows.
MAX_INDEX = (1 << 32) - 1
MAX_STEP_S = float((1 << 31) / 1e6)
_ROWS_PER_CHUNK = 1 << 15
#: Relative slack of the rate range: times written to the microsecond (write_recording) give a
#: 10,000 Hz recording a median period a few parts in 1e10 short of 100 us.
ODR_SLACK = 1e-6


def rate_in_range(odr_hz: float) -> bool:
    """A sample rate a recording may have (ODR_RANGE_HZ, give or take the rounding of its times)."""
    lo, hi = ODR_RANGE_HZ
    return lo * (1.0 - ODR_SLACK) <= odr_hz <= hi * (1.0 + ODR_SLACK)


#: Rows this many median periods from the row before are consecutive samples, and the mean of their
#: spacings is the sample period: a dropped sample spaces its row two periods from the one before, a
#: stretch sampled four times as fast (refused by _check_rate_holds) a quarter of one, while times
#: rounded to a grid coarser than a period's tenth (a logger's whole milliseconds at 416 Hz: rows 2 or
#: 3 ms apart) and a jitter of up to 0.3 periods stay within, as many rows early as late.
CONSECUTIVE_PERIODS = (0.3, 1.7)


def sample_period_s(dt: np.ndarray) -> float:
    """The sample period of row spacings dt (at least one), s: the mean spacing of consecutive rows
    (CONSECUTIVE_PERIODS). The median alone is one of the grid's values when the times are rounded
    coarser than the period: whole milliseconds read 416 Hz as 500 Hz, 400 Hz as 333 or 500 Hz."""
    median = float(np.median(dt))
    lo, hi = CONSECUTIVE_PERIODS
    consecutive = dt[(dt > lo * median) & (dt < hi * median)]
    return float(np.mean(consecutive)) if len(consecutive) else median


def sample_rate_hz(t_s: np.ndarray) -> float:
    """The sample rate of sample times t_s (at least two), Hz: over their sample period (sample_period_s)."""
    return 1.0 / sample_period_s(np.diff(t_s))


def _decode(path: Path, line_no: int, raw: bytes, lenient: bool = False) -> str:
    """A line as text. lenient (comments, rows after the header): bytes that are no UTF-8 become U+FFFD, so an extra
    column may hold text in another encoding (a Latin-1 label: 'pied gauche \xe9'), which refused the
    whole recording; in a column of COLUMNS such a field is no number and refused as one."""
    if line_no == 1 and raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise _fail(path, line_no, "UTF-16 text (it starts with a UTF-16 byte order mark)",
                    "save the CSV as UTF-8 (or plain ASCII) text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # binary data (rig replay - fed a logger's raw output) holds carriage returns too: it was refused as 'lines
        # ended by CR alone'; a line whose text up to its first CR is no UTF-8 is no text ended by CRs
        if not lenient and not _is_utf8(raw.split(b"\r", 1)[0]):
            raise _fail(path, line_no, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} in {excerpt(raw)})",
                        "give a CSV text file") from None
        text = raw.decode("utf-8", "replace")
    if "\r" in text:
        raise _fail(path, line_no, f"a carriage return inside the line ({excerpt(raw)}): lines ended by CR alone",
                    "save the CSV with LF or CRLF line ends")
    return text


def _is_utf8(raw: bytes) -> bool:
    """Whether raw decodes as UTF-8."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


#: A field numpy's parser reads as a number: ASCII digits, an optional sign, point and exponent, or
#: inf/nan; Python's float() takes more (1_000, other scripts' digits), which the fast path refuses.
_NUMBER = re.compile(r"\s*[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan)\s*",
                     re.IGNORECASE)


def _check_field_counts(path: Path, rows: list[tuple[int, str]], names: list[str]) -> None:
    """Raise for the first row whose number of fields is not the header's."""
    want = len(names) - 1
    for line_no, raw in rows:
        if raw.count(",") != want:
            raise _fail(
                path, line_no, f"{raw.count(',') + 1} fields where the header has {len(names)}",
                "give every row one value per header column",
            )


def _check_rows(path: Path, rows: list[tuple[int, str]], names: list[str]) -> None:
    """Find the first malformed row and raise for it (the slow path after a failed parse); only the
    columns of COLUMNS need hold numbers, the others are not read."""
    _check_field_counts(path, rows, names)
    for line_no, raw in rows:
        fields = raw.split(",")
        for name, f in zip(names, fields):
            if name not in COLUMNS:
                continue
            if not _NUMBER.fullmatch(f):
                raise _fail(
                    path, line_no, f"column {name}: {excerpt(f.strip())} is not a number"
                    + (" (it holds bytes that are no UTF-8 text)" if "\ufffd" in f else ""),
                    "write plain decimal numbers (e.g. 0.0123)",
                )


class _Samples:
    """Rows parsed a chunk at a time: the columns of COLUMNS, checked as they come."""

    def __init__(self, path: Path, names: list[str]) -> None:
        self.path = path
        self.names = names
        self.take = [names.index(c) for c in COLUMNS]
        self.parts: list[np.ndarray] = []
        self.line_nos: list[np.ndarray] = []
        self.count = 0
        self.rows = 0
        self.nan_rows = 0
        self.first_nan: tuple[int, str] | None = None

    def add(self, rows: list[tuple[int, str]]) -> None:
        if not rows:
            return
        if self.rows + len(rows) > MAX_SAMPLES:
            line = rows[MAX_SAMPLES - self.rows][0]
            raise _fail(self.path, line, f"more than {MAX_SAMPLES} samples",
                        "split the recording into parts of at most that many rows")
        texts = [r for _, r in rows]
        try:
            if len(self.names) == len(COLUMNS):  # loadtxt checks every row has the header's fields
                cols = np.loadtxt(texts, delimiter=",", ndmin=2, dtype=float, comments=None)
                if cols.shape != (len(rows), len(COLUMNS)):
                    raise ValueError
                cols = cols[:, self.take]
            else:  # only the columns of COLUMNS are parsed: an extra one may hold anything (a label, a note)
                _check_field_counts(self.path, rows, self.names)
                cols = np.loadtxt(texts, delimiter=",", ndmin=2, dtype=float, comments=None, usecols=self.take)
                if cols.shape != (len(rows), len(COLUMNS)):
                    raise ValueError
        except ValueError:
            _check_rows(self.path, rows, self.names)
            raise _fail(self.path, rows[0][0], "rows could not be parsed", "check the delimiter is a comma") from None
        bad = np.isinf(cols)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise _fail(
                self.path, rows[r][0], f"column {COLUMNS[c]} is {float(cols[r, c])} (infinite)",
                "drop the row or fill the value; the rig needs finite samples",
            )
        line_nos = np.fromiter((n for n, _ in rows), dtype=np.int64, count=len(rows))
        self.rows += len(rows)
        missing = np.isnan(cols).any(axis=1)
        if missing.any():  # a sample the logger did not get: read as one lost (see MAX_NAN_SHARE)
            if self.first_nan is None:
                r = int(np.flatnonzero(missing)[0])
                self.first_nan = (int(line_nos[r]), COLUMNS[int(np.flatnonzero(np.isnan(cols[r]))[0])])
            self.nan_rows += int(np.count_nonzero(missing))
            cols, line_nos = cols[~missing], line_nos[~missing]
            if not len(cols):
                return
        self.parts.append(cols)
        self.line_nos.append(line_nos)
        self.count += len(cols)


#: Units a header may give a column in brackets or parentheses (`t_s [s]`, `ax [g]`, `gx (deg/s)`),
#: by the column's quantity, with the factor that turns a value in that unit into the column's. A
#: declared unit is converted, not guessed: an axis named without its unit (`ax`) is not a column.
_TIME_UNITS = {"s": 1.0, "sec": 1.0, "ms": 1e-3, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ns": 1e-9}
_ACCEL_UNITS = {"g": 1.0, "mg": 1e-3, "m/s^2": 1.0 / 9.80665, "m/s2": 1.0 / 9.80665, "m/s\u00b2": 1.0 / 9.80665,
                "m s^-2": 1.0 / 9.80665, "m*s^-2": 1.0 / 9.80665}
_RATE_UNITS = {"dps": 1.0, "deg/s": 1.0, "\u00b0/s": 1.0, "degrees/s": 1.0, "degree/s": 1.0, "mdps": 1e-3,
               "rad/s": 180.0 / math.pi}
_UNITS = {"t_s": _TIME_UNITS, "ax_g": _ACCEL_UNITS, "ay_g": _ACCEL_UNITS, "az_g": _ACCEL_UNITS,
          "gx_dps": _RATE_UNITS, "gy_dps": _RATE_UNITS, "gz_dps": _RATE_UNITS}
#: A column's name without its unit's suffix, which a header may give with the unit in brackets.
_STEMS = {"t": "t_s", "time": "t_s", "timestamp": "t_s", **{c.split("_")[0]: c for c in COLUMNS[1:]}}
_FIELD = re.compile(r'\s*"?\s*([^"\[\]()]*?)\s*(?:[\[(]\s*([^\]()]*?)\s*[\])])?\s*"?\s*')


def _split(text: str, delimiter: str) -> list[str]:
    """The fields of a line: split at the delimiter, or as CSV reads it when it holds quotes (a quoted field may
    hold the delimiter, as a note "left, then right" in an extra column does)."""
    if '"' not in text:
        return text.split(delimiter)
    return next(csv.reader([text], delimiter=delimiter))


def _unquoted(text: str, delimiter: str, names: list[str]) -> str:
    """A row holding quotes as one without: the quotes dropped, and in a column that is not read (not of COLUMNS)
    the delimiter and commas too, so that a quoted note holding them is one field, not several (it was refused
    as '9 fields where the header has 8')."""
    plain = text.replace('"', "")
    if plain.count(delimiter) == len(names) - 1:
        return plain
    return delimiter.join(f if k < len(names) and names[k] in COLUMNS else f.replace(delimiter, " ").replace(",", " ")
                          for k, f in enumerate(_split(text, delimiter)))


def _header(path: Path, line_no: int, text: str) -> tuple[list[str], list[float], str]:
    """The header's column names, the factor of each of COLUMNS from its declared unit, and the delimiter.
    Spreadsheets and loggers write the same columns in other clothes: separated by semicolons (with decimal
    commas) or tabs, quoted, in capitals, with the unit in brackets (`ax_g [g]`, `ax [m/s^2]`): each is read
    as the recording it is."""
    outside_quotes = re.sub(r'"[^"]*"', "", text)  # a quoted name may hold another delimiter ("note, free text")
    delimiter = next((d for d in (",", ";", "\t") if d in outside_quotes), ",")
    names: list[str] = []
    factor: dict[str, float] = {}
    for field in _split(text, delimiter):
        m = _FIELD.fullmatch(field)
        name, unit = (m[1].lower(), m[2]) if m else (field.strip(), None)
        if unit is None:
            names.append(name if name in COLUMNS else field.strip().strip('"'))
            continue
        column = name if name in COLUMNS else _STEMS.get(name)
        units = _UNITS.get(column or "", {})
        scale = units.get(unit.lower(), units.get(unit.lower().replace(" ", "")))
        if name in COLUMNS and scale != 1.0:  # the name's unit and the brackets' disagree
            own = column.split("_")[1] if column else ""
            raise _fail(path, line_no, f"column {excerpt(field.strip())}: the name says {own} and the brackets {unit}",
                        f"name the column {name} with its values in {own}, or {_stem(name)} [{unit}] with the "
                        f"unit they are in (one of {', '.join(units)})")
        if column is None or scale is None:  # not a column of the recording, or in a unit not known here
            names.append(field.strip().strip('"'))
            continue
        factor[column] = scale
        names.append(column)
    return names, [factor.get(c, 1.0) for c in COLUMNS], delimiter


def _stem(column: str) -> str:
    return "t" if column == "t_s" else column.split("_")[0]


#: A row this many sample periods or more before the row ahead of it is a clock that went back (a
#: timer's wrap, a logger's restart), not rows out of order (a packet late by a few samples).
RESTART_PERIODS = 100.0


def _time_back(path: Path, line: int, t: float, prev: float, prev_line: int, dt: np.ndarray) -> RecordingError:
    """The refusal of a row whose time is not after the row before: what each kind of it means."""
    if t == prev:
        return _fail(
            path, line, f"t_s={t!r} repeats the previous row's time (line {prev_line}) with other values, where "
            "times must increase strictly",
            "each sample needs its own time: times written with too few digits (a float32 keeps 7: at 1.7e9 s "
            "it steps by 128 s) or once per batch of samples must be rewritten as each sample's time in "
            "seconds, to the microsecond (from the start when the clock is an epoch)",
        )
    ahead = dt[dt > 0]
    if len(ahead) and prev - t > RESTART_PERIODS * float(np.median(ahead)):
        return _fail(
            path, line, f"t_s={t!r} is {prev - t:.6g} before the previous row's t_s={prev!r} (line {prev_line}): "
            "the clock went back, as a timer that wrapped or restarted does, where times must increase strictly",
            "split the recording there, or unwrap the times (add the timer's span to every time from this row on)",
        )
    return _fail(
        path, line, f"t_s={t!r} is not after the previous row's t_s={prev!r} (line {prev_line})",
        "times must increase strictly: sort the rows",
    )


def _drop_repeated_rows(path: Path, cols: np.ndarray, line_nos: np.ndarray,
                        notes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The rows without those that repeat an earlier row exactly (its time and every value): a sample a
    logger wrote twice (a packet sent again after a lost acknowledgement, a driver publishing its last
    sample again), read once with a note. A row whose time is not after the rows before and that is no
    such copy (a time repeated with other values, a clock that went back, rows out of order) is refused
    (_time_back): two different samples with one time cannot both be placed."""
    t = cols[:, 0]
    if not len(t):
        return cols, line_nos
    before = np.maximum.accumulate(np.concatenate([[-np.inf], t[:-1]]))
    late = np.flatnonzero(t <= before)  # not after every row before it
    if not len(late):
        return cols, line_nos
    # the rows after every one before them rise strictly: an exact copy repeats one of them
    fresh = np.flatnonzero(t > before)
    at = np.minimum(np.searchsorted(t[fresh], t[late]), len(fresh) - 1)
    original = fresh[at]
    copy = np.all(cols[original] == cols[late], axis=1)
    if not copy.all():
        k = int(np.flatnonzero(~copy)[0])
        r = int(late[k])
        raise _time_back(path, int(line_nos[r]), float(t[r]), float(t[r - 1]), int(line_nos[r - 1]), np.diff(t))
    notes.append(f"{path.name}: {len(late)} row(s) repeat an earlier row exactly, time and values (the first: line "
                 f"{int(line_nos[late[0]])}, a copy of line {int(line_nos[original[0]])}): a sample written twice, "
                 "read once")
    keep = np.ones(len(t), dtype=bool)
    keep[late] = False
    return cols[keep], line_nos[keep]


#: Rows holding a NaN (a value the logger did not get) are read as lost samples, a gap, while they are
#: at most this share of the rows: beyond it a column is missing, not a few samples.
MAX_NAN_SHARE = 0.1


def _read_samples(path: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The samples of a recording CSV (columns of COLUMNS), the line number of each row and notes on
    what was read (rows with a NaN dropped as lost samples)."""
    names: list[str] | None = None
    scales: list[float] = []
    delimiter = ","
    header_line = 0
    samples: _Samples | None = None
    rows: list[tuple[int, str]] = []
    last_line = 0
    for line_no, raw in read_lines(path, "recording"):
        last_line = line_no
        s = _decode(path, line_no, raw, lenient=names is not None or raw.lstrip().startswith(b"#"))
        if line_no == 1:
            s = s.lstrip("\ufeff")
        stripped = s.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if names is None:
            names, scales, delimiter = _header(path, line_no, stripped)
            header_line = line_no
            missing = [c for c in COLUMNS if c not in names]
            unit = next(((n, m[2], _STEMS.get(m[1].lower()) or m[1].lower()) for n in names
                         if (m := _FIELD.fullmatch(n)) and m[2] is not None
                         and (_STEMS.get(m[1].lower()) or m[1].lower()) in missing), None)
            if unit is not None:
                # 't [min]' was 'header lacks column(s) t_s', as if the time were not there at all
                field, given, column = unit
                raise _fail(path, line_no, f"column {excerpt(field)}: {excerpt(given)} is no unit of {column} the rig "
                            f"converts", f"write its values in one of {', '.join(_UNITS[column])} and name that unit "
                            f"(e.g. {_stem(column)} [{list(_UNITS[column])[2]}])")
            if missing:
                raise _fail(
                    path, line_no,
                    f"header lacks column(s) {', '.join(missing)} (found {excerpt(','.join(names), 120)})",
                    "the header must hold " + ",".join(COLUMNS),
                )
            twice = sorted({c for c in COLUMNS if names.count(c) > 1}, key=COLUMNS.index)
            if twice:
                raise _fail(
                    path, line_no, f"header names column(s) {', '.join(twice)} more than once",
                    "keep one column of each name: which of the two holds the samples cannot be told",
                )
            samples = _Samples(path, names)
            continue
        if '"' in s:
            s = _unquoted(s, delimiter, names)
        if delimiter != ",":  # its fields' commas are decimal commas
            s = s.replace(",", ".").replace(delimiter, ",")
        rows.append((line_no, s))
        if len(rows) >= _ROWS_PER_CHUNK:
            assert samples is not None
            samples.add(rows)
            rows = []
    if names is None or samples is None:
        raise _fail(
            path, last_line + 1, "empty file: no header line",
            "write the header " + ",".join(COLUMNS) + " then one sample a row",
        )
    samples.add(rows)
    notes: list[str] = []
    if samples.first_nan is not None:
        line, column = samples.first_nan
        share = f"{samples.nan_rows} of {samples.rows} rows"
        if samples.nan_rows > MAX_NAN_SHARE * samples.rows:
            raise _fail(path, line, f"column {column} is NaN, and {share} hold a NaN: too many to read as lost samples",
                        "fill the values, or drop the column's rows; the rig needs finite samples")
        notes.append(f"{path.name}: {share} hold a NaN (the first: line {line}, {column}): read as lost samples")
    if samples.count == 0:
        raise _fail(path, header_line, "no samples after the header", "add one row per sample")
    cols, line_nos = _drop_repeated_rows(path, np.concatenate(samples.parts), np.concatenate(samples.line_nos), notes)
    for k, scale in enumerate(scales):
        if scale != 1.0:
            with np.errstate(over="ignore"):
                cols[:, k] *= scale
    return cols, line_nos, notes


def _time_unit_todo(odr_hz: float) -> str:
    """What to do about times whose rate is out of range: the unit they look like, when one fits."""
    for name, per_s, header in (("milliseconds", 1e3, "t [ms]"), ("microseconds", 1e6, "t [us]"),
                                ("nanoseconds", 1e9, "t [ns]")):
        if odr_hz < ODR_RANGE_HZ[0] and rate_in_range(odr_hz * per_s):
            return (f"t_s looks like {name} ({odr_hz * per_s:.4g} Hz in them): divide it by {per_s:,.0f}, or name the "
                    f"column {header}")
    return "check the unit of t_s (seconds) and the sampling of the recording"


def _check_timing(path: Path, t_s: np.ndarray, line_nos: np.ndarray) -> float:
    """The recording's sample rate (sample_period_s), Hz, after checking the firmware can take its timing."""
    if len(t_s) < 2:
        raise _fail(path, int(line_nos[0]), "only one sample: a recording needs two or more to have a sample rate",
                    "give the whole recording, one sample a row")
    dt = np.diff(t_s)
    period_s = sample_period_s(dt)
    odr_hz = 1.0 / period_s
    lo, hi = ODR_RANGE_HZ
    if not rate_in_range(odr_hz):
        r = int(np.argmin(np.abs(dt - period_s))) + 1
        raise _fail(
            path, int(line_nos[r]),
            f"t_s={float(t_s[r])!r} follows the previous row by {period_s:.3g} s, the sample period: "
            f"a sample rate of {odr_hz:.3g} Hz, outside the {lo:g}..{hi:g} Hz the rig replays",
            _time_unit_todo(odr_hz),
        )
    big = np.flatnonzero(dt > MAX_STEP_S)
    if len(big):
        r = int(big[0]) + 1
        raise _fail(
            path, int(line_nos[r]),
            f"a gap of {float(dt[r - 1]):.6g} s after the previous row; the link's times span at most {MAX_STEP_S:.0f} s",
            "split the recording at the gap",
        )
    _check_float32_times(path, t_s, line_nos, dt * odr_hz, period_s)
    _check_rate_holds(path, t_s, line_nos, dt * odr_hz, odr_hz)
    index = np.cumsum(np.maximum(1.0, np.rint(dt * odr_hz)))
    over = np.flatnonzero(index > MAX_INDEX)
    if len(over):
        r = int(over[0]) + 1
        raise _fail(
            path, int(line_nos[r]),
            f"t_s={float(t_s[r])!r} is sample {float(index[r - 1]):.0f} at {odr_hz:.4g} Hz, past the "
            f"sensor index's {MAX_INDEX}",
            "split the recording into shorter parts",
        )
    return odr_hz


#: Float32 times are refused when they step by more than this share of the sample period where they are
#: largest, while the rows do not sit one period apart (a share OFF_GRID_SHARE of them): read, their
#: grid's values pass for the period and the steps of two for dropped samples (from 20,000 s on,
#: float32 times step by 1.95 ms: a 416 Hz recording read as 512 Hz with a fifth of its samples lost).
FLOAT32_STEP_PERIODS = 1.0 / 3.0
OFF_GRID_SHARE = 0.05


def _check_float32_times(path: Path, t_s: np.ndarray, line_nos: np.ndarray, periods: np.ndarray, period_s: float) -> None:
    """RecordingError when t_s holds float32 values too coarse to place the samples (see FLOAT32_STEP_PERIODS)."""
    top = float(np.max(np.abs(t_s)))
    step = float(np.spacing(np.float32(top)))
    if step <= FLOAT32_STEP_PERIODS * period_s:
        return
    t32 = t_s.astype(np.float32)
    if not np.all(np.abs(t_s - t32) <= np.spacing(np.abs(t32)).astype(np.float64) / 8.0):  # float32s, printed
        return
    if np.count_nonzero(np.abs(periods - 1.0) > 0.3) <= OFF_GRID_SHARE * len(periods):
        return
    r = int(np.argmax(np.abs(t_s)))
    raise _fail(
        path, int(line_nos[r]),
        f"t_s={float(t_s[r])!r}: the times are float32 values, which step by {step * 1e3:.3g} ms there, as far as "
        f"the rows are apart ({period_s * 1e3:.3g} ms): they cannot tell a sample's time from its neighbour's",
        "write the times as 64-bit floats, or from the recording's start",
    )


#: A row closer to the one before than this many periods of the recording's rate is early:
#: timestamp jitter stays far within it, a faster sampling does not.
EARLY_PERIODS = 0.6
#: This many early rows in a row are a faster sampling, not jitter: read at the recording's rate, each
#: would count as one whole period and compress the time after them (a recording whose rate rose
#: from 104 to 416 Hz read its last part four times too slowly: contact times 339 ms off).
EARLY_RUN = 64


def _check_rate_holds(path: Path, t_s: np.ndarray, line_nos: np.ndarray, periods: np.ndarray, odr_hz: float) -> None:
    """RecordingError at the first run of EARLY_RUN rows sampled faster than the recording's rate.

    periods: each row's distance from the row before, in periods of odr_hz. A slower sampling
    (a rate that falls mid-file) reads as dropped samples at their true times, and stays."""
    early = (periods < EARLY_PERIODS).astype(np.int64)
    if len(early) < EARLY_RUN:
        return
    runs = np.convolve(early, np.ones(EARLY_RUN, dtype=np.int64), mode="valid")
    full = np.flatnonzero(runs == EARLY_RUN)
    if not len(full):
        return
    r = int(full[0]) + 1
    seg = np.diff(t_s[r - 1:r + EARLY_RUN])
    raise _fail(
        path, int(line_nos[r]),
        f"from t_s={float(t_s[r])!r} on, {EARLY_RUN} rows or more come {float(np.median(seg)) * 1e3:.4g} ms apart "
        f"({1.0 / float(np.median(seg)):.4g} Hz) while the recording's rate is {odr_hz:.4g} Hz: "
        "the sample rate changed within the file",
        "split the recording where its rate changes, one rate a file",
    )


#: Standard gravity, m/s^2 per g.
G_MPS2 = 9.80665
#: |a| where the foot is quiet must be gravity's 1 g within this range, g, or the columns are not in
#: g (m/s^2 read 9.8, raw counts thousands). Quiet samples turn slower than QUIET_DPS: the foot in
#: stance (or standing), where the specific force is gravity (its median there is 0.97-1.09 g on
#: every real recording and catalog scenario, sprints included).
GRAVITY_RANGE_G = (0.4, 2.5)
#: Within GRAVITY_RANGE_G but outside this range the recording is read with a note (gravity_note):
#: an accelerometer offset of a few tenths of a g (a poor sensor: rig explore's noisiest ones sit up
#: to half a g off, 0.67 g on a stair climb) cannot be told from a wrong scale by less than 2.5 times.
GRAVITY_NOTE_RANGE_G = (0.7, 1.4)
#: A sample is quiet when |rate| is under this, dps.
QUIET_DPS = 30.0
#: Quiet samples needed to judge gravity, and as a share of the recording.
MIN_QUIET = 20
MIN_QUIET_SHARE = 0.01
#: Largest |rate| a gyroscope in dps can show while its accelerometer shows a foot moving, dps: a
#: foot's toes-up swing turns it at 150 dps or more even at a slow walk, so a recording whose rates
#: stay under this is in rad/s (a walk's swing is 3 to 10 rad/s).
RAD_S_MAX = 20.0
#: The accelerometer shows a foot moving when a twentieth of its samples are this far from the
#: median |a| (heel strikes, push-offs), g: walks and stairs reach 1.6 g or more, standing and
#: fidgeting stay within about 0.2 g.
MOVING_G = 0.5


#: Least share of gravity on +z where the foot is quiet: the shoe frame has z up out of the sole, and
#: a foot-worn sensor tilts it by tens of degrees at most (a laces pod about 30 deg), so gravity
#: pointing into the sole's side of the horizon means the axes are not the shoe frame.
MIN_UP_SHARE = 0.0


def _check_rad_s(path: Path, norm_g: np.ndarray, gyro_dps: np.ndarray) -> None:
    """Refuse rates that stay under RAD_S_MAX while the accelerometer shows a foot moving (rad/s).
    Checked before gravity: with rates in rad/s the foot looks quiet mid-swing as well."""
    median_g = float(np.median(norm_g))
    with np.errstate(invalid="ignore"):  # a norm of inf (values past 1e154) less a median of inf is nan: not moving
        moving = float(np.percentile(np.abs(norm_g - median_g), 95.0)) > MOVING_G
    top_rate = float(np.max(np.abs(gyro_dps)))
    with np.errstate(over="ignore"):  # +-1.7e308 in one column span inf (numpy warned of it into the output): held no value
        held_one = moving and not np.ptp(gyro_dps, axis=0).any()
    if held_one:
        # told 'multiply gx_dps, gy_dps, gz_dps by 57.29578': a column of zeros stays one in any unit
        held = ", ".join(f"{v + 0.0:g}" for v in gyro_dps[0])  # + 0.0: -0 is 0
        raise _fail(
            path, None,
            f"the accelerometer shows a foot moving but gx_dps, gy_dps, gz_dps hold one value each throughout "
            f"({held} dps): the gyroscope was off, or its columns were not logged",
            "record with the gyroscope on (the analyzer needs the foot's angular rate), or fill the columns with it",
        )
    if moving and top_rate < RAD_S_MAX:
        raise _fail(
            path, None,
            f"the accelerometer shows a foot moving but the largest |rate| is {top_rate:.3g}, where a foot's swing "
            f"turns it at 150 dps or more",
            f"the gyroscope columns look like rad/s: multiply gx_dps, gy_dps, gz_dps by {180.0 / math.pi:.5f}",
        )


#: A sample is part of a movement when its |rate| is over this, dps (swings, landings, push-offs).
MOVING_DPS = 100.0
#: Largest share of the movement's rotation (sum of squared rates) about x against y: a foot turns
#: mostly about its pitch axis, y (on every real recording and drawn gait the roll is 0.43 of the
#: pitch at most), and the analyzer learns a mount's yaw up to about 60 deg (share 3 to 4). Over 10,
#: a yaw past 72 deg or x and y swapped (share 30 and more), the strides would be lost or misread.
MAX_ROLL_SHARE = 10.0


def _enough(samples: np.ndarray) -> bool:
    """Whether a selection of samples (a boolean mask) is enough to judge by: MIN_QUIET of them and
    MIN_QUIET_SHARE of the recording."""
    return int(np.count_nonzero(samples)) >= max(MIN_QUIET, MIN_QUIET_SHARE * len(samples))


def _check_pitch_axis(path: Path, gyro_dps: np.ndarray, rate_dps: np.ndarray) -> None:
    """Refuse a recording whose movement turns far more about x than about y: its axes are turned
    about z (x and y swapped, or a mount yawed past 72 deg), and its strides would be lost or misread.
    rate_dps: each sample's |rate|."""
    moving = rate_dps > MOVING_DPS
    if not _enough(moving):
        return
    with np.errstate(over="ignore", invalid="ignore"):
        roll, pitch = (float(np.sum(gyro_dps[moving, k] ** 2)) for k in (0, 1))
    if np.isfinite(roll) and np.isfinite(pitch) and roll > MAX_ROLL_SHARE * pitch:
        raise _fail(
            path, None,
            f"the foot's movement turns it {math.sqrt(roll / max(pitch, 1e-12)):.2g} times as fast about x as about y, "
            "where a foot turns mostly about its pitch axis, y: the axes look turned about z",
            "turn the axes into the shoe frame: x toward the toes, y toward the wearer's left, z up (x and y "
            "swapped: ax_g, gx_dps become the y columns and -ay_g, -gy_dps the x columns, or the other way round)",
        )


def _rest_gravity_g(acc_g: np.ndarray, gyro_dps: np.ndarray) -> float | None:
    """Median |a| where the foot is quiet (the rest's gravity), g; None when too few samples are quiet."""
    with np.errstate(over="ignore", invalid="ignore"):
        quiet = np.linalg.norm(gyro_dps, axis=1) < QUIET_DPS
        return float(np.median(np.linalg.norm(acc_g[quiet], axis=1))) if _enough(quiet) else None


def gravity_note(rec: Recording) -> str | None:
    """A note when |a| where the foot is still is off gravity's 1 g by more than GRAVITY_NOTE_RANGE_G
    allows (the recording is read: see GRAVITY_NOTE_RANGE_G); None otherwise."""
    gravity = _rest_gravity_g(rec.acc_g, rec.gyro_dps)
    lo, hi = GRAVITY_NOTE_RANGE_G
    if gravity is None or lo <= gravity <= hi:
        return None
    return (f"{rec.name}: |a| is {gravity:.3g} g (median) where the foot is still, where gravity alone gives 1 g: "
            "a large accelerometer offset, or the columns ax_g, ay_g, az_g at a wrong scale; the recording is "
            "replayed as it is: check the accelerometer's calibration and unit")


def _check_units(path: Path, acc_g: np.ndarray, gyro_dps: np.ndarray) -> None:
    """Refuse a recording whose columns are plainly not in g and dps (m/s^2, rad/s, a wrong scale) or
    not in the shoe frame (z pointing down): analysed as they are they would give a silently wrong
    answer (no strides, or strides and distances of a mirrored foot)."""
    with np.errstate(over="ignore", invalid="ignore"):  # a value past 1e154 squares to inf: its norm is inf
        norm_g = np.linalg.norm(acc_g, axis=1)
        rate_dps = np.linalg.norm(gyro_dps, axis=1)
    quiet = rate_dps < QUIET_DPS
    _check_rad_s(path, norm_g, gyro_dps)
    _check_pitch_axis(path, gyro_dps, rate_dps)
    if not _enough(quiet):
        return
    lo, hi = GRAVITY_RANGE_G
    gravity = float(np.median(norm_g[quiet]))
    if not lo <= gravity <= hi:
        if lo * G_MPS2 <= gravity <= hi * G_MPS2:
            todo = f"the accelerometer columns look like m/s^2: divide ax_g, ay_g, az_g by {G_MPS2}"
        else:
            todo = "check the accelerometer's unit and scale: the columns ax_g, ay_g, az_g are in g"
        raise _fail(path, None, f"|a| is {gravity:.3g} (median) where the foot is still, and gravity alone gives 1 g",
                    todo)
    up_g = float(np.median(acc_g[quiet, 2]))
    if up_g <= MIN_UP_SHARE * gravity:
        raise _fail(
            path, None,
            f"az_g is {up_g:+.3g} g (median) where the foot is still: z points down or sideways, where the shoe "
            "frame has it up out of the sole (+1 g with the shoe flat)",
            "turn the axes into the shoe frame: x toward the toes, y toward the wearer's left, z up (a sensor "
            "mounted upside down about x: negate ay_g, az_g, gy_dps, gz_dps)",
        )


#: Keys under which a sidecar's meta declares the recording's sample rate, Hz (ours; the labelled
#: real recordings').
RATE_KEYS = ("odr_hz", "sample_rate_hz")
#: How far the declared sample rate may differ from the timestamps' (median) before the two are
#: taken to contradict each other: a sensor's clock runs a few percent off its nominal rate at most.
RATE_AGREE = 0.05


#: What to do about labels outside the recording they came with.
_OTHER_CLOCK = ("this truth belongs to another recording, or its times are not in seconds from the same clock as t_s: "
                "check both")


def _check_truth_fits(csv: Path, side: Path, truth: Truth, t_s: np.ndarray, odr_hz: float) -> None:
    """Refuse a sidecar that cannot describe this recording: a declared sample rate the timestamps
    contradict (the labels were timed on another clock, or belong to another file), a labelled
    contact outside the recording, a label window that misses it entirely. Scored as they are,
    such labels give a silently wrong recall and precision."""
    for key in RATE_KEYS:
        declared = truth.meta.get(key)
        if declared is None:
            continue
        # a whole number of 400 digits passed as below inf, then float() of it ended in OverflowError
        rate = finite_float(declared)
        if rate is None or rate <= 0:
            raise _fail(side, None, f"{key} is {excerpt(json.dumps(declared))}, not a sample rate",
                        "write the sample rate in Hz as a positive JSON number, or leave it out")
        if abs(odr_hz / rate - 1.0) > RATE_AGREE:
            raise _fail(side, None, f"{key} says {rate:g} Hz but the timestamps of {csv} give "
                        f"{odr_hz:.4g} Hz", "this truth belongs to another recording, or t_s is not in seconds: "
                        "check both")
    t0, t1 = float(t_s[0]), float(t_s[-1])
    slack = 1.0 / odr_hz
    for k, stride in enumerate(truth.strides):
        if not t0 - slack <= stride.ic_s <= t1 + slack:
            raise _fail(side, None, f"contact {k + 1} of {len(truth.strides)} is labelled at {stride.ic_s:g} s, "
                        f"outside the {t0:g}..{t1:g} s of {csv}", _OTHER_CLOCK)
    for k, (a, b) in enumerate(border_intervals(truth)):
        # borders in milliseconds (or another recording's) scored every stride interval as missed: rig bench said
        # 'recall 0.00%' of the analyzer, where contacts outside the recording are refused as labels of another
        if not (t0 - slack <= a and b <= t1 + slack):
            raise _fail(side, None, f"stride interval {k + 1} (stride_borders_s) is {a:g}..{b:g} s, outside the "
                        f"{t0:g}..{t1:g} s of {csv}", _OTHER_CLOCK)
    for a, b in truth.label_windows_s:
        if b < t0 or a > t1:
            raise _fail(side, None, f"the label window {a:g}..{b:g} s lies outside the {t0:g}..{t1:g} s of {csv}",
                        "give label windows in seconds on the clock of t_s, or leave them out")
    _check_contacts_judged(csv, side, truth, t0, t1)


def _windows_within(truth: Truth, t_s: np.ndarray, odr_hz: float) -> Truth:
    """truth with each label window cut to the recording (give or take a sample period, as a contact may lie):
    labelled past either end, a window labels nothing there. Scored as written, a window running far past the
    recording ([0, 1e9], [-1e308, 1e308]) was tiled into cadence windows of 10 s each, for ever, or ended in
    'cannot convert float NaN to integer'."""
    lo, hi = float(t_s[0]) - 1.0 / odr_hz, float(t_s[-1]) + 1.0 / odr_hz
    windows = tuple((max(a, lo), min(b, hi)) for a, b in truth.label_windows_s)
    return truth if windows == truth.label_windows_s else dataclasses.replace(truth, label_windows_s=windows)


def _check_contacts_judged(csv: Path, side: Path, truth: Truth, t0: float, t1: float) -> None:
    """RecordingError when the truth labels contacts but none lies in a label window: scored, such a
    truth judges nothing (no true stride, every detection ignored) and reads as a perfect precision."""
    if not truth.strides or any(a <= s.ic_s <= b for s in truth.strides for a, b in truth.label_windows_s):
        return
    n = len(truth.strides)
    where = ("but no label window (label_windows_s) says where they are labelled" if not truth.label_windows_s else
             f"but none lies in its label windows ({', '.join(f'{a:g}..{b:g} s' for a, b in truth.label_windows_s)})")
    raise _fail(side, None, f"{n} contact(s) are labelled {where}: none would be judged",
                f"add \"label_windows_s\": [[start_s, end_s], ...] spanning the labelled contacts (the whole "
                f"recording of {csv} is [[{t0:g}, {t1:g}]])")


#: A signal clipped at its sensor's full scale stays at one value, its plateau, for two samples or more
#: each time the motion goes past the scale; this many such runs at an axis' extreme are a clipping,
#: where a peak of the motion's own is reached once.
CLIP_RUNS = 3
#: Where a plateau lies against the full scale it is clipped at: at the scale (most sensors, or an
#: LSM6DSO's accelerometer at 0.9994 of it), or at the int16 end of an LSM6DSO gyroscope's counts
#: (1.147 of it: 32767 x 17.5 mdps at +-500 dps is 573 dps).
CLIP_LEVELS = ((0.99, 1.01), (1.14, 1.155))


def _clipped_scale(path: Path, values: np.ndarray, scales: tuple[int, ...], default: float, sensor: str, unit: str,
                   notes: list[str]) -> float:
    """The full scale a recording without a declared one was clipped at (below `default`), else
    `default`. Replayed at the default scale, a gyroscope clipped at +-500 dps reads as one that
    turned no faster: a steady run lost 13 % of its distance and its contacts 7 ms; at its own scale
    the analyzer knows where it saturated. A note for the user goes into `notes`."""
    found = []
    for k in range(values.shape[1]):
        for sign in (1.0, -1.0):
            v = sign * values[:, k]
            level = float(np.max(v))
            at = v == level
            pairs = at[1:] & at[:-1]
            runs = int(np.count_nonzero(pairs[1:] & ~pairs[:-1])) + int(pairs[0]) if len(pairs) else 0
            if runs >= CLIP_RUNS and level > 0.0:
                found.append(level)
    if not found:
        return default
    level = max(found)
    fs = next((float(s) for s in scales if s < default and any(a * s <= level <= b * s for a, b in CLIP_LEVELS)), None)
    if fs is None:
        return default
    notes.append(f"{path.name}: the {sensor} stays at {level:.4g} {unit} again and again (clipped): read as clipped "
                 f"at a +-{fs:g} {unit} full scale, so strides there are flagged; say so in "
                 f"{path.stem}.truth.json (meta {'accel_fs_g' if unit == 'g' else 'gyro_fs_dps'}) if not")
    return fs


def read_recording(path: Path) -> Recording:
    """Read a recording CSV (and NAME.truth.json beside it when present).

    odr_hz is the median sample rate of the file. Raises RecordingError naming the file, the
    line and what to change (also for a file the rig cannot replay: one sample, a sample rate
    outside ODR_RANGE_HZ, a gap the link cannot carry, columns plainly not in g and dps, a sidecar
    with bad content or one that does not fit the recording: see `_check_truth_fits`).
    """
    path = Path(path)
    cols, line_nos, notes = _read_samples(path)
    odr_hz = _check_timing(path, cols[:, 0], line_nos)
    _check_units(path, cols[:, 1:4], cols[:, 4:7])
    truth = None
    accel_fs_g, gyro_fs_dps = 16.0, 2000.0
    side = truth_path(path)
    # a sidecar that is a symbolic link leading nowhere (a dangling one, a loop) is one the user meant: refused when
    # read, not passed over as no truth (rig bench said "no ground truth beside it", rig replay judged nothing)
    if not is_stdin(path) and (side.exists() or side.is_symlink()):  # (standard input: no file lies beside it)
        truth = read_truth(side)
        _check_truth_fits(path, side, truth, cols[:, 0], odr_hz)
        truth = _windows_within(truth, cols[:, 0], odr_hz)
        accel_fs_g = float(truth.meta.get("accel_fs_g") or accel_fs_g)
        gyro_fs_dps = float(truth.meta.get("gyro_fs_dps") or gyro_fs_dps)
    if truth is None or not truth.meta.get("accel_fs_g"):
        accel_fs_g = _clipped_scale(path, cols[:, 1:4], ACCEL_FS_G, accel_fs_g, "accelerometer", "g", notes)
    if truth is None or not truth.meta.get("gyro_fs_dps"):
        gyro_fs_dps = _clipped_scale(path, cols[:, 4:7], GYRO_FS_DPS, gyro_fs_dps, "gyroscope", "dps", notes)
    return Recording(
        name="stdin" if is_stdin(path) else path.stem,
        odr_hz=odr_hz,
        t_s=cols[:, 0].copy(),
        acc_g=cols[:, 1:4].copy(),
        gyro_dps=cols[:, 4:7].copy(),
        truth=truth,
        accel_fs_g=accel_fs_g,
        gyro_fs_dps=gyro_fs_dps,
        notes=tuple(notes),
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


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


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
    fmt = ["%.6f", "%.7f", "%.7f", "%.7f", "%.5f", "%.5f", "%.5f"]
    truth = None if rec.truth is None else json.dumps(truth_to_dict(rec.truth, rec), indent=1) + "\n"

    def write(out: Path) -> None:
        np.savetxt(out, data, delimiter=",", header=header, comments="", fmt=fmt)
        if truth is not None:  # put in place just before the recording, once both are written whole
            write_whole(truth_path(csv_path), lambda side: _write_text(side, truth))

    # whole or not at all, the recording and its truth together: a recording cut short (Ctrl-C, a full
    # disk) would replay as a shorter run, and a truth cut short (written in place after the recording)
    # left the new recording beside half a JSON, refused when read
    write_whole(csv_path, write)
