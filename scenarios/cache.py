"""A cache of synthesized catalog recordings, so that each is synthesized once per machine.

Synthesis is deterministic: a scenario, a seed and a sensor rate give the same samples and truth,
bit for bit, as long as the code that synthesizes them is the same. A recording is therefore kept
under a key made of the scenario's name, the seed, the rate, a digest of the scenarios package
(every file in it: code and data) and the versions of numpy and Python; any change to one of them
is a different key. The 30-minute run takes longer to synthesize than to replay on the fast
targets, and a test session synthesizes it once per target.

Where: $STRIDELAB_SYNTH_CACHE (a directory; "off" turns the cache off), else
$XDG_CACHE_HOME/stridelab/recordings, else ~/.cache/stridelab/recordings. An entry holds data only,
never code: a numpy .npz archive of the sample arrays and a JSON text of the rest (name, rates,
full scales, truth), read with allow_pickle=False. It is replaced atomically (parallel test workers
may write the same one) and loaded only when it is a regular file of this user that nobody else
may write; the directory is made private (0700). A recording whose truth would not come back from
JSON exactly as it is is not kept. A cache that cannot be read or written (a full or read-only
disk) is passed by: the recording is synthesized as without it; a $STRIDELAB_SYNTH_CACHE that can
be no directory is refused (CacheSettingError).
The oldest entries go once the directory holds more than MAX_BYTES. Only files named as entries
are ever removed (ENTRY_NAME): $STRIDELAB_SYNTH_CACHE may name a directory that holds other files,
and the pruning removed every *.pickle there and any *.npz past the size bound.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .errors import CacheSettingError
from .model import Recording, StrideTruth, Truth

#: Environment variable naming the cache directory ("off": no cache).
CACHE_ENV = "STRIDELAB_SYNTH_CACHE"
#: Bytes the cache may hold before its oldest entries are removed.
MAX_BYTES = 1 << 30
#: The sample arrays of a Recording, stored as arrays of the archive.
_ARRAYS = ("t_s", "acc_g", "gyro_dps")
_PACKAGE = Path(__file__).resolve().parent
_source_digest: str | None = None


def cache_dir() -> Path | None:
    """The cache directory in effect, or None when the cache is off.

    CacheSettingError when $STRIDELAB_SYNTH_CACHE names a path that is no directory, or lies under one
    that is none (a regular file, a device): such a cache could never be written, and every recording was
    synthesized again without a word, the 30-minute run on each test, each target."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env.lower() == "off":
        return None
    if env:
        _check_dir(Path(env))
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stridelab" / "recordings"


def _check_dir(path: Path) -> None:
    """CacheSettingError naming the variable when path, or the nearest of its parents that exists, is no directory."""
    at = path
    while True:
        try:
            mode = os.stat(at).st_mode
        except (FileNotFoundError, NotADirectoryError):
            if at == at.parent:
                return
            at = at.parent
            continue
        except OSError:
            return  # unreadable (no permission, a loop): passed by, as a cache that cannot be written is
        if stat.S_ISDIR(mode):
            return
        kind = "a regular file" if stat.S_ISREG(mode) else "no directory"
        where = "" if at == path else f" under {at}, which"
        raise CacheSettingError(f"${CACHE_ENV}={path}{where} is {kind}: the synthesis cache is a directory; set it "
                                "to a directory (made when missing), 'off' for no cache, or unset it for the "
                                "default")


def source_digest() -> str:
    """SHA-256 (hex, 16 digits) of every file of the scenarios package, its path included, with the
    numpy and Python versions: what a synthesized recording depends on besides its arguments."""
    global _source_digest
    if _source_digest is None:
        h = hashlib.sha256(f"numpy {np.__version__}; python {platform.python_version()}".encode())
        for path in sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
        _source_digest = h.hexdigest()[:16]
    return _source_digest


#: The name of an entry file (entry_path), of this format (.npz) or the former one (.pickle): the only
#: files the cache removes.
ENTRY_NAME = re.compile(r"[A-Za-z0-9_]+-(?:default|[0-9]+)-[0-9.e+-]+-[0-9a-f]{16}\.(?:npz|pickle)")


def _entries(directory: Path, suffix: str) -> list[Path]:
    """The entry files of directory with that suffix (.npz, .pickle): never another file there."""
    return [p for p in directory.glob(f"*{suffix}") if ENTRY_NAME.fullmatch(p.name)]


def entry_path(directory: Path, name: str, seed: int | None, odr_hz: float) -> Path:
    """The cache file of one (scenario, seed, rate) for the current source."""
    return directory / f"{name}-{'default' if seed is None else seed}-{odr_hz!r}-{source_digest()}.npz"


def cached(name: str, seed: int | None, odr_hz: float, make: Callable[[], Recording]) -> Recording:
    """The recording of (name, seed, odr_hz) from the cache, else make() it and keep it there."""
    directory = cache_dir()
    if directory is None:
        return make()
    path = entry_path(directory, name, seed, odr_hz)
    try:
        with open(path, "rb") as f:
            if not _trusted(os.fstat(f.fileno())):
                raise PermissionError(path)
            rec = _load(f)
        if rec.name == name:
            os.utime(path)  # recently used: pruned last
            return rec
    except Exception:  # noqa: BLE001 - missing, unreadable or from another version: synthesize again
        pass
    rec = make()
    _store(directory, path, rec)
    return rec


def _trusted(st: os.stat_result) -> bool:
    """True for a regular file of this user that neither its group nor others may write."""
    return stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o022


def _doc(rec: Recording) -> str:
    """Everything of rec but its sample arrays, as JSON text."""
    doc = {f.name: getattr(rec, f.name) for f in dataclasses.fields(Recording) if f.name not in _ARRAYS}
    if rec.truth is not None:
        doc["truth"] = dataclasses.asdict(rec.truth)
    return json.dumps(doc, allow_nan=True)


def _truth(doc: dict[str, Any] | None) -> Truth | None:
    """The Truth a _doc() wrote (None stays None)."""
    if doc is None:
        return None
    d = dict(doc)
    d["strides"] = tuple(StrideTruth(**x) for x in d["strides"])
    d["label_windows_s"] = tuple(tuple(w) for w in d["label_windows_s"])
    return Truth(**d)


def _load(f: object) -> Recording:
    """A Recording from an entry's open file: arrays and JSON only, no pickled objects."""
    with np.load(f, allow_pickle=False) as z:  # type: ignore[arg-type]
        doc = json.loads(str(z["doc"][()]))
        arrays: dict[str, Any] = {k: np.array(z[k]) for k in _ARRAYS}
    doc["truth"] = _truth(doc.get("truth"))
    doc["notes"] = tuple(doc.get("notes", ()))
    return Recording(**doc, **arrays)


def _round_trips(rec: Recording) -> bool:
    """True when rec's truth and fields come back from their JSON text exactly as they are
    (a tuple in truth.meta would come back a list, a NaN unequal to itself: not kept)."""
    try:
        doc = json.loads(_doc(rec))
    except (TypeError, ValueError):
        return False
    doc["truth"] = _truth(doc.get("truth"))
    doc["notes"] = tuple(doc.get("notes", ()))
    return all(doc[f.name] == getattr(rec, f.name) for f in dataclasses.fields(Recording) if f.name not in _ARRAYS)


def _store(directory: Path, path: Path, rec: Recording) -> None:
    if not _round_trips(rec):
        return
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, doc=np.array(_doc(rec)), **{k: getattr(rec, k) for k in _ARRAYS})
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _prune(directory, keep=path)
    except OSError:
        pass  # a read-only or full disk: the recording was synthesized all the same


def _prune(directory: Path, keep: Path) -> None:
    """Remove the least recently used entries (never `keep`) while the cache holds more than MAX_BYTES."""
    for old in _entries(directory, ".pickle"):  # entries of the former format: never loaded now
        try:
            old.unlink()
        except OSError:
            pass
    entries = []
    for p in _entries(directory, ".npz"):
        try:
            st = p.stat()
        except OSError:
            continue
        entries.append((st.st_mtime, st.st_size, p))
    total = sum(size for _, size, _ in entries)
    for _, size, p in sorted(entries):
        if total <= MAX_BYTES:
            break
        if p == keep:
            continue
        try:
            p.unlink()
            total -= size
        except OSError:
            pass
