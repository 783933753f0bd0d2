"""The truth sidecar NAME.truth.json: read it strictly, so bad content is refused by name.

Two formats (see recording_csv for what each key means): ours, written by write_recording
(`format: "stridelab-truth"` or a `strides` list), and the labelled real recordings' (`events`,
`label_window(s)_s`, `footprints_m`, anything else kept in meta). Every value the rig uses is
checked for its type and range before use: a number must be a finite JSON number (no NaN,
Infinity, strings or booleans), the full scales must be LSM6DSO settings, and the contacts
must not contradict each other (see `_check_contacts`); a document of our format (naming it, or
holding strides) holds only its keys (OWN_KEYS) and strides only StrideTruth fields, so a misspelt
key is not read as a missing one; anything else is a RecordingError naming the file, the key and
what to write instead.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from .input_file import LongNumber, excerpt, fail, loads_json, read_bytes
from .model import ACTIVITIES, STRIKE_CLASSES, StrideTruth, Truth

TRUTH_FORMAT = "stridelab-truth"
#: Largest sidecar read, bytes.
MAX_TRUTH_BYTES = 64 << 20
#: Deepest nesting of JSON arrays and objects accepted.
MAX_JSON_DEPTH = 32
#: Full scales of the LSM6DSO, the only ones a recording may declare.
ACCEL_FS_G = (2, 4, 8, 16)
GYRO_FS_DPS = (125, 250, 500, 1000, 2000)
_ACTIVITY_WORDS = {"walking": "walk", "walk": "walk", "running": "run", "run": "run", "still": "still", "stairs": "stairs"}
_STRIDE_TEXT = {"strike": STRIKE_CLASSES, "activity": ACTIVITIES}
#: The keys of a document that names our format (what write_recording writes, and the one-window spelling).
#: What a labelled recording's events were taken from (its `events_reference`; none named: the first):
#: optical motion capture (contact at the ground's first touch) or a pressure insole's threshold.
EVENTS_REFERENCES = ("motion_capture", "pressure_insole")
#: What a labelled recording's event holds: the contact's initial contact and toe-off times.
EVENT_KEYS = ("ic_s", "tc_s")
OWN_KEYS = ("format", "version", "strides", "label_windows_s", "label_window_s", "distance_m", "activity_s", "meta")


class _Bad(Exception):
    """A content problem at a key path; turned into a RecordingError naming the file."""

    def __init__(self, where: str, what: str, todo: str) -> None:
        super().__init__(where, what, todo)
        self.where, self.what, self.todo = where, what, todo


def _number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _Bad(where, f"is {excerpt(json.dumps(v))}, not a number", "write a plain JSON number")
    try:
        f = float(v)
    except OverflowError:
        f = math.inf
    if not math.isfinite(f):
        raise _Bad(where, f"is {excerpt(str(v))}, not a finite number", "write a plain JSON number")
    return f


def _opt_number(v: Any, where: str) -> float | None:
    return None if v is None else _number(v, where)


def _list(v: Any, where: str) -> list[Any]:
    if not isinstance(v, list):
        raise _Bad(where, f"is {excerpt(json.dumps(v))}, not a list", "write a JSON array")
    return v


def _obj(v: Any, where: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise _Bad(where, f"is {excerpt(json.dumps(v))}, not an object", "write a JSON object")
    return v


def _pair(v: Any, where: str) -> tuple[float, float]:
    items = _list(v, where)
    if len(items) != 2:
        raise _Bad(where, f"has {len(items)} values", "write [start_s, end_s]")
    a, b = _number(items[0], f"{where}[0]"), _number(items[1], f"{where}[1]")
    if b < a:
        raise _Bad(where, f"ends ({b:g}) before it starts ({a:g})", "write [start_s, end_s] with start <= end")
    return a, b


def _windows(doc: dict[str, Any]) -> tuple[tuple[float, float], ...]:
    if "label_windows_s" in doc:
        return tuple(_pair(w, f"label_windows_s[{i}]") for i, w in enumerate(_list(doc["label_windows_s"], "label_windows_s")))
    if "label_window_s" in doc:
        return (_pair(doc["label_window_s"], "label_window_s"),)
    return ()


def _activity(word: Any) -> str | None:
    """The activity a labelled recording's `activity` names; None for a description of none (mixed_walking_running),
    _Bad for a value that is no text or a misspelt activity word ("walkng" was read as none: the recording's
    activity went unjudged by rig bench, exit 0)."""
    if word is None:
        return None
    if not isinstance(word, str):
        raise _Bad("activity", f"is {excerpt(json.dumps(word))}, not a word",
                   f"write one of {', '.join(_ACTIVITY_WORDS)} (or a description of a mix), or leave it out")
    if word.lower() in _ACTIVITY_WORDS:
        return _ACTIVITY_WORDS[word.lower()]
    near = difflib.get_close_matches(word.lower(), _ACTIVITY_WORDS, n=1, cutoff=0.8)
    if near:
        raise _Bad("activity", f"is {excerpt(json.dumps(word))}, no activity the rig knows",
                   f"did you mean {near[0]}? correct it, or describe a mix in other words")
    return None


def _full_scales(meta: dict[str, Any], where: str) -> None:
    for key, allowed, unit in (("accel_fs_g", ACCEL_FS_G, "g"), ("gyro_fs_dps", GYRO_FS_DPS, "dps")):
        if key in meta and meta[key] is not None:
            v = _number(meta[key], f"{where}{key}")
            if v not in allowed:
                raise _Bad(f"{where}{key}", f"is {v:g} {unit}, not a full scale of the LSM6DSO",
                           f"write one of {', '.join(map(str, allowed))}")


def _border_labels(doc: dict[str, Any], where: str) -> None:
    """Check the stride-border labels of doc (a labelled recording's document, or our format's meta: rig bench
    scores both): step_count a whole number, stride_borders_s all border times or all [start_s, end_s] pairs."""
    if doc.get("step_count") is not None:
        n = _number(doc["step_count"], f"{where}step_count")
        if n < 0 or n != int(n):
            raise _Bad(f"{where}step_count", f"is {n:g}", "write a whole number >= 0")
    if "stride_borders_s" not in doc:
        return
    key = f"{where}stride_borders_s"
    borders = _list(doc["stride_borders_s"], key)
    pairs = bool(borders) and isinstance(borders[0], list)
    for i, b in enumerate(borders):
        if isinstance(b, list) != pairs:
            # [[1, 2], 3] passed here, then ended rig bench in 'cannot unpack non-iterable float object'
            raise _Bad(f"{key}[{i}]", f"is {excerpt(json.dumps(b))}, where {key}[0] is "
                       f"{'a [start_s, end_s] pair' if pairs else 'a border time'}",
                       "write every border as a time, or every stride as a [start_s, end_s] pair, not both")
        if pairs:
            _pair(b, f"{key}[{i}]")
            continue
        border = _number(b, f"{key}[{i}]")
        if i and border <= borders[i - 1]:
            # [1, 3, 2, 4] was scored as the interval 3..2 s, which holds no contact: a stride the analyzer 'missed'
            raise _Bad(f"{key}[{i}]", f"is {border:g}, not after {key}[{i - 1}] ({borders[i - 1]:g})",
                       "list the stride borders in time order, each once")


def _external_truth(doc: dict[str, Any]) -> Truth:
    """Truth from a labelled real recording (events, label windows, stride borders...)."""
    windows = _windows(doc)
    raw_events = _list(doc.get("events", []), "events")
    events: list[tuple[float, float | None]] = []
    for i, e in enumerate(raw_events):
        e = _obj(e, f"events[{i}]")
        if "ic_s" not in e:
            raise _Bad(f"events[{i}]", "has no ic_s", "give each event its initial contact time ic_s")
        for key in e:
            if key not in EVENT_KEYS:
                # {"ic_s": 1.2, "tc": 1.5} was read as a contact of unknown toe-off: its contact time went unjudged
                raise _unknown_key(f"events[{i}]", key, EVENT_KEYS, "time of a contact", "leave it out")
        events.append((_number(e["ic_s"], f"events[{i}].ic_s"), _opt_number(e.get("tc_s"), f"events[{i}].tc_s")))
    _check_contacts([(f"events[{i}]", StrideTruth(ic_s=ic, tc_s=tc)) for i, (ic, tc) in enumerate(events)])
    events.sort(key=lambda e: e[0])
    act = _activity(doc.get("activity"))

    def window_of(t: float) -> int | None:
        for i, (a, b) in enumerate(windows):
            if a - 1e-6 <= t <= b + 1e-6:
                return i
        return None

    strides = []
    for k, (ic, tc) in enumerate(events):
        stride_ms = None
        if k + 1 < len(events):
            nxt = events[k + 1][0]
            w = window_of(ic)
            if w is not None and window_of(nxt) == w:
                stride_ms = 1000.0 * (nxt - ic)
        gct_ms = None if tc is None else 1000.0 * (tc - ic)
        strides.append(StrideTruth(ic_s=ic, tc_s=tc, gct_ms=gct_ms, stride_ms=stride_ms, activity=act))
    distance_m = None
    if doc.get("footprints_m"):
        rows = _list(doc["footprints_m"], "footprints_m")
        fp = [[_number(x, f"footprints_m[{i}][{j}]") for j, x in enumerate(_list(r, f"footprints_m[{i}]"))]
              for i, r in enumerate(rows)]
        for i, r in enumerate(fp):
            if len(r) < 2:
                raise _Bad(f"footprints_m[{i}]", f"has {len(r)} value(s)", "write one [x_m, y_m] per footprint")
        xy = np.asarray([r[:2] for r in fp], dtype=float)
        distance_m = float(np.hypot(*np.diff(xy, axis=0).T).sum())
        if not distance_m > 0:
            # one footprint (or the same one again) made a path of 0 m, which rig bench passed by unjudged
            raise _Bad("footprints_m", f"holds {len(fp)} footprint(s), a path of 0 m, so no distance to judge",
                       "write every footprint walked, [x_m, y_m] each, two or more apart, or leave footprints_m out")
    _border_labels(doc, "")
    _full_scales(doc, "")
    reference = doc.get("events_reference", EVENTS_REFERENCES[0])
    if reference not in EVENTS_REFERENCES:
        # rig bench judges a recording by its labels' convention: a misspelt one was scored per contact, unasked
        raise _Bad("events_reference", f"is {json.dumps(reference)[:40]}, not a labelling convention the rig knows",
                   f"write one of {', '.join(EVENTS_REFERENCES)} (or leave it out: {EVENTS_REFERENCES[0]})")
    skip = {"events", "label_window_s", "label_windows_s"}
    meta = {k: v for k, v in doc.items() if k not in skip}
    meta["truth_format"] = "external"
    return Truth(strides=tuple(strides), label_windows_s=windows, distance_m=distance_m, meta=meta)


#: What a stride's value may physically be: (lowest, highest, unit, why). A foot lands and rolls
#: within a half turn of level; lengths, speeds and impacts have no sign.
_STRIDE_RANGES: dict[str, tuple[float, float, str, str]] = {
    "stride_m": (0.0, math.inf, "m", "a stride length is >= 0 m"),
    "speed_mps": (0.0, math.inf, "m/s", "a speed is >= 0 m/s"),
    "impact_g": (0.0, math.inf, "g", "an impact is >= 0 g"),
    "fsa_deg": (-90.0, 90.0, "deg", "a foot strike angle lies within -90..90 deg of level"),
    "pronation_deg": (-90.0, 90.0, "deg", "an eversion angle lies within -90..90 deg"),
}


def _in_range(v: float | None, key: str, where: str) -> float | None:
    """v when it is one a stride's key may have (_STRIDE_RANGES), else _Bad naming it."""
    if v is None or key not in _STRIDE_RANGES:
        return v
    lo, hi, unit, why = _STRIDE_RANGES[key]
    if not lo <= v <= hi:
        raise _Bad(f"{where}.{key}", f"is {v:g} {unit}", f"{why}; check the label's units and sign")
    return v


def _unknown_key(where: str, key: str, known: tuple[str, ...], what: str, todo: str) -> _Bad:
    """The refusal of a key a document of our format has no use for (a misspelt one read as missing)."""
    near = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {near[0]}? " if near else ""
    return _Bad(where, f"names {excerpt(key)}, no {what} (the keys: {', '.join(known)})",
                f"{hint}correct its name, or {todo}")


def _stride(s: Any, where: str) -> StrideTruth:
    """One stride of our format: a key that is no StrideTruth field is refused, where it was passed by (a
    misspelt "gct_m" left that stride's contact time unjudged, exit 0)."""
    s = _obj(s, where)
    fields = StrideTruth.__dataclass_fields__
    if "ic_s" not in s:
        raise _Bad(where, "has no ic_s", "give each stride its initial contact time ic_s")
    values: dict[str, Any] = {}
    for k, v in s.items():
        if k not in fields:
            raise _unknown_key(where, k, tuple(fields), "field of a stride", "leave it out")
        if k in _STRIDE_TEXT:
            if v is not None and v not in _STRIDE_TEXT[k]:
                raise _Bad(f"{where}.{k}", f"is {excerpt(json.dumps(v))}",
                           f"write null or one of {', '.join(_STRIDE_TEXT[k])}")
            values[k] = v
        else:
            values[k] = (_number(v, f"{where}.{k}") if k == "ic_s"
                         else _in_range(_opt_number(v, f"{where}.{k}"), k, where))
    return StrideTruth(**values)


#: How far a stride's gct_ms may differ from its tc_s - ic_s, ms (both written from one contact).
GCT_AGREE_MS = 1.0


def _check_contacts(strides: list[tuple[str, StrideTruth]]) -> None:
    """Refuse labels that contradict themselves: two contacts of the foot at one time, a contact
    that ends before it starts or after the foot's next contact begins, a contact time that is not
    its own TC - IC. Scored as they are they would charge the analyzer with errors of the labels.
    `strides` are (key path, stride), in any order."""
    ordered = sorted(strides, key=lambda ws: ws[1].ic_s)
    for k, (where, s) in enumerate(ordered):
        nxt = ordered[k + 1] if k + 1 < len(ordered) else None
        if nxt is not None and nxt[1].ic_s == s.ic_s:
            raise _Bad(where, f"and {nxt[0]} both have ic_s {s.ic_s:g}: one foot lands once at a time",
                       "drop the duplicated label (each file holds one foot's contacts)")
        if s.tc_s is not None:
            if s.tc_s <= s.ic_s:
                raise _Bad(f"{where}.tc_s", f"is {s.tc_s:g}, not after its ic_s {s.ic_s:g}",
                           "give the toe-off time after the initial contact (times in seconds)")
            if nxt is not None and s.tc_s >= nxt[1].ic_s:
                raise _Bad(f"{where}.tc_s", f"is {s.tc_s:g}, not before the next contact's ic_s {nxt[1].ic_s:g} "
                           f"({nxt[0]})", "a foot leaves the ground before it lands again: check the labels' times")
        for key in ("gct_ms", "stride_ms", "swing_ms"):
            v = getattr(s, key)
            if v is not None and v < 0:
                raise _Bad(f"{where}.{key}", f"is {v:g}", "a duration is >= 0 ms")
        if s.gct_ms is not None and s.tc_s is not None and abs(s.gct_ms - 1e3 * (s.tc_s - s.ic_s)) > GCT_AGREE_MS:
            raise _Bad(f"{where}.gct_ms", f"is {s.gct_ms:g} ms but its tc_s - ic_s is {1e3 * (s.tc_s - s.ic_s):g} ms",
                       "give the contact time of the same contact, or leave gct_ms out")


#: The version of this rig's truth format that write_recording writes and read_truth reads.
TRUTH_VERSION = 1


def _own_format(doc: dict[str, Any]) -> None:
    """Refuse a document that is not this rig's format as read here: another format named, a
    version of it this rig does not read, or a labelled recording's events beside its strides."""
    if "format" in doc and doc["format"] != TRUTH_FORMAT:
        raise _Bad("format", f"is {excerpt(json.dumps(doc['format']))}, not a truth format this rig reads",
                   f"write \"{TRUTH_FORMAT}\" with strides, or leave format out and label contacts as events")
    if "version" in doc and (isinstance(doc["version"], bool) or doc["version"] != TRUTH_VERSION):
        raise _Bad("version", f"is {excerpt(json.dumps(doc['version']))}; this rig reads version {TRUTH_VERSION}",
                   "write the sidecar with this rig (rig synth), or read it with the rig that wrote it")
    if "events" in doc:
        raise _Bad("events", "are given beside strides: one of the two would be ignored",
                   "keep strides (this rig's format) or events (a labelled recording's), not both")
    for key in doc:
        if key not in OWN_KEYS:
            # {"format": "stridelab-truth", "stides": [...]} was read as a recording with no strides labelled, and
            # without the format named (a document of strides is this format all the same) a misspelt
            # "label_window" as no window given: the whole recording judged
            raise _unknown_key("the document", key, OWN_KEYS, f"key of the {TRUTH_FORMAT} format",
                               "move it under meta")


def _own_truth(doc: dict[str, Any]) -> Truth:
    _own_format(doc)
    strides = tuple(_stride(s, f"strides[{i}]")
                    for i, s in enumerate(_list(doc.get("strides", []), "strides")))
    _check_contacts([(f"strides[{i}]", s) for i, s in enumerate(strides)])
    activity_s = {}
    for k, v in _obj(doc.get("activity_s", {}), "activity_s").items():
        if k not in ACTIVITIES:
            raise _Bad(f"activity_s.{excerpt(k)}", "is no activity", f"write seconds of {', '.join(ACTIVITIES)}")
        activity_s[k] = _number(v, f"activity_s.{k}")
        if activity_s[k] < 0:
            raise _Bad(f"activity_s.{k}", f"is {activity_s[k]:g} s", "a time spent is >= 0 s")
    meta = dict(_obj(doc.get("meta", {}), "meta"))
    _full_scales(meta, "meta.")
    _border_labels(meta, "meta.")  # scored by rig bench when no strides are labelled, as a labelled recording's
    distance_m = _opt_number(doc.get("distance_m"), "distance_m")
    if distance_m is not None and distance_m < 0:
        raise _Bad("distance_m", f"is {distance_m:g} m", "a distance is >= 0 m; check the label's sign")
    return Truth(
        strides=strides,
        label_windows_s=_windows(doc),
        distance_m=distance_m,
        activity_s=activity_s,
        meta=meta,
    )


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _nesting(text: str) -> int:
    """Deepest nesting of [ and { outside strings (checked before json.loads recurses)."""
    depth = deepest = 0
    for ch in _BRACKETS.findall(_STRING.sub("", text)):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


class _KeyTwice(ValueError):
    """An object of the JSON names a key twice."""


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object of the JSON, refusing a key given twice: json keeps the last without a word, so a
    sidecar holding "strides" twice (the second empty) was read as labelling none of them."""
    doc: dict[str, Any] = {}
    for key, value in pairs:
        if key in doc:
            raise _KeyTwice(key)
        doc[key] = value
    return doc


def read_truth(path: Path) -> Truth:
    """Read a truth sidecar in either format; RecordingError naming the file and key when it is bad."""
    path = Path(path)
    data = read_bytes(path, "truth file", MAX_TRUTH_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(path, data.count(b"\n", 0, exc.start) + 1, f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
                   "save the truth file as UTF-8 JSON") from None
    deepest = _nesting(text)
    if deepest > MAX_JSON_DEPTH:
        raise fail(path, None, f"JSON nested {deepest} deep (at most {MAX_JSON_DEPTH})",
                   "write the truth as an object of lists of numbers and objects")
    try:
        doc = loads_json(text, parse_constant=_no_constant, object_pairs_hook=_once)
    except LongNumber as exc:
        raise fail(path, exc.line, exc.what, "write a plain JSON number (seconds, milliseconds, g), or null for an "
                   "unknown value") from None
    except json.JSONDecodeError as exc:
        raise fail(path, exc.lineno, f"invalid JSON ({exc.msg})", "fix the JSON or remove the sidecar") from None
    except _KeyTwice as exc:
        raise fail(path, None, f"an object names the key {excerpt(str(exc))} twice", "keep one of the two: which "
                   "holds the labels cannot be told") from None
    except ValueError as exc:  # NaN / Infinity
        raise fail(path, None, f"invalid JSON ({exc})", "write finite numbers, or null for an unknown value") from None
    if not isinstance(doc, dict):
        raise fail(path, 1, "the truth file is not a JSON object", "write an object with strides or events")
    try:
        return _own_truth(doc) if doc.get("format") == TRUTH_FORMAT or "strides" in doc else _external_truth(doc)
    except _Bad as bad:
        raise fail(path, None, f"{bad.where} {bad.what}", bad.todo) from None

