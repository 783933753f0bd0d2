"""Split a run list into N shards of about equal time, from recorded durations (`--shard K/N`).

Each item goes to exactly one shard: longest first, each to the shard with the least time so far
(ties to the lowest shard, items in name order), so every job computes the same split. An item
with no recorded duration is weighed by its scenario's length times the median ratio of recorded
run time to scenario length on that target (1 s per scenario second when nothing is recorded).
Durations live in DURATIONS_FILE as {"TARGET::SCENARIO": seconds}; a report directory's
durations.json has that form (rig.report), so a CI run can refresh it.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path

from rig.build import REPO
from rig.errors import RigError
from scenarios.errors import RecordingError
from scenarios.input_file import excerpt, finite_float, loads_json, read_bytes

DURATIONS_FILE = REPO / ".ci" / "durations.json"
#: Largest durations file read, bytes (a catalog on five targets is about 10 kB).
MAX_DURATIONS_BYTES = 8 << 20


#: The most shards a run list is split into (--shard K/N: N). A GitHub Actions matrix holds at most 256
#: jobs; a larger N is a typo's extra digits, and every shard past the number of items is empty.
MAX_SHARDS = 256


def parse_shard(text: str, option: str = "--shard") -> tuple[int, int]:
    """(k, n) of 'K/N' with 1 <= K <= N <= MAX_SHARDS; RigError naming the option otherwise."""
    m = re.fullmatch(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*", text or "")
    shown = text if len(text or "") <= 40 else f"{text[:40]}... ({len(text)} characters)"
    if m and (len(m.group(2).lstrip("0")) > len(str(MAX_SHARDS)) or int(m.group(2)) > MAX_SHARDS):
        # 1/99999999999999999999 ran shard 1 of that many (the whole list, in effect), and 5,000 digits ended
        # in Python's 'Exceeds the limit (4300 digits) for integer string conversion' (pytest: INTERNALERROR)
        raise RigError(f"{option} {shown!r}: at most {MAX_SHARDS} shards (a GitHub Actions matrix holds {MAX_SHARDS} "
                       f"jobs); give K/N with 1 <= K <= N <= {MAX_SHARDS}, e.g. {option} 2/4")
    if not m or len(m.group(1).lstrip("0")) > len(m.group(2).lstrip("0")) or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise RigError(f"{option} {shown!r}: give K/N with 1 <= K <= N, e.g. {option} 2/4 (the second of four shards)")
    return int(m.group(1)), int(m.group(2))


def load_durations(path: Path | None = None, option: str = "--durations") -> dict[str, float]:
    """Recorded seconds per 'TARGET::SCENARIO'; {} when the default file is missing, RigError for a bad file."""
    p = path or DURATIONS_FILE
    if not p.exists() and not p.is_symlink():
        if path is None:
            return {}
        raise RigError(f"{option} {p}: no such file; give a durations.json a report wrote")
    try:
        # bounded: /dev/zero or a FIFO nobody writes must be refused, not read until memory runs out; a byte-order
        # mark (a file saved by an editor that writes one) is read past, as in truth sidecars
        doc = loads_json(read_bytes(p, "durations file", MAX_DURATIONS_BYTES).decode("utf-8-sig"))
    except RecordingError as exc:
        raise RigError(f"{option} {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise RigError(f"{option} {p}: not a durations file ({excerpt(str(exc), 120)}); "
                       "give a durations.json a report wrote") from None
    seconds = {str(k): _seconds(v) for k, v in doc.items()} if isinstance(doc, dict) else None
    if seconds is None or None in seconds.values():
        raise RigError(f"{option} {p}: must be a JSON object of 'TARGET::SCENARIO': seconds >= 0 (finite numbers)")
    return {k: v for k, v in seconds.items() if v is not None}


def _seconds(value: object) -> float | None:
    """A durations file's value as seconds, None when it is no finite number >= 0."""
    seconds = finite_float(value)
    return seconds if seconds is not None and seconds >= 0 else None


def weights(target: str, scenarios: Sequence[str], durations: Mapping[str, float],
            length_s: Mapping[str, float]) -> dict[str, float]:
    """Seconds each scenario is expected to take on target (see the module docstring)."""
    known = {s: durations[f"{target}::{s}"] for s in scenarios if f"{target}::{s}" in durations}
    ratios = [durations[k] / length_s[k.split("::", 1)[1]] for k in durations
              if k.startswith(f"{target}::") and length_s.get(k.split("::", 1)[1], 0) > 0]
    ratio = statistics.median(ratios) if ratios else 1.0
    return {s: known.get(s, length_s.get(s, 1.0) * ratio) for s in scenarios}


def split(items: Sequence[str], n: int, weight: Mapping[str, float]) -> list[list[str]]:
    """items in n shards balanced by weight (longest first into the lightest shard); each in input order."""
    loads = [0.0] * n
    shards: list[list[str]] = [[] for _ in range(n)]
    for item in sorted(items, key=lambda i: (-weight.get(i, 0.0), i)):
        k = min(range(n), key=lambda j: (loads[j], j))
        shards[k].append(item)
        loads[k] += weight.get(item, 0.0)
    order = {item: i for i, item in enumerate(items)}
    return [sorted(s, key=order.__getitem__) for s in shards]


def shard_of(items: Sequence[str], k: int, n: int, weight: Mapping[str, float]) -> list[str]:
    """The k-th (1-based) of n shards of items.

    Only the first len(items) shards can hold an item (each shard past them is empty), so a huge N
    (--shard 1/99999999999999999999) is split as that many shards, never allocated."""
    used = min(n, len(items))
    return split(items, used, weight)[k - 1] if k <= used else []
