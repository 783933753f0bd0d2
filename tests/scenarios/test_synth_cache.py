"""The cache of synthesized recordings gives back exactly what synthesis makes."""

from __future__ import annotations

import dataclasses
import errno
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scenarios import cache
from scenarios.catalog import get_scenario, synthesize
from scenarios.errors import CacheSettingError
from scenarios.model import Recording
from scenarios.synth import synthesize_def

NAME = "sprint"


def _same(a: Recording, b: Recording) -> None:
    for f in dataclasses.fields(Recording):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), f.name
        else:
            assert x == y, f.name


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    return tmp_path


def test_a_cached_recording_is_the_synthesized_one_bit_for_bit(cache_dir: Path) -> None:
    first = synthesize(NAME)
    assert len(list(cache_dir.glob("*.npz"))) == 1
    again = synthesize(NAME)
    assert again is not first
    _same(again, first)
    _same(again, synthesize_def(get_scenario(NAME)))


def test_seed_and_rate_are_part_of_the_key(cache_dir: Path) -> None:
    a, b, c = synthesize(NAME), synthesize(NAME, seed=7), synthesize(NAME, odr_hz=208.0)
    assert len(list(cache_dir.glob("*.npz"))) == 3
    assert not np.array_equal(b.acc_g, a.acc_g)
    assert len(c.t_s) < len(a.t_s)
    _same(synthesize(NAME, seed=7), synthesize_def(get_scenario(NAME), seed=7))


def test_an_unreadable_entry_is_synthesized_again(cache_dir: Path) -> None:
    synthesize(NAME)
    (entry,) = cache_dir.glob("*.npz")
    entry.write_bytes(b"not an archive")
    _same(synthesize(NAME), synthesize_def(get_scenario(NAME)))
    assert entry.read_bytes() != b"not an archive"


def test_an_entry_others_may_write_is_not_loaded(cache_dir: Path) -> None:
    synthesize(NAME)
    (entry,) = cache_dir.glob("*.npz")
    forged = dataclasses.replace(synthesize(NAME), acc_g=np.zeros_like(synthesize(NAME).acc_g))
    entry.unlink()
    cache._store(cache_dir, entry, forged)
    entry.chmod(0o666)  # anyone could have written it
    _same(synthesize(NAME), synthesize_def(get_scenario(NAME)))
    assert entry.stat().st_mode & 0o022 == 0  # replaced by this user's own entry


def test_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    synthesize(NAME)
    assert cache.cache_dir() is None and not any(tmp_path.rglob("*.npz"))


def test_a_cache_that_cannot_be_written_is_passed_by(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache.tempfile, "mkstemp", full)  # a full (or read-only) file system
    _same(synthesize(NAME), synthesize_def(get_scenario(NAME)))
    assert list(cache_dir.iterdir()) == []


@pytest.mark.parametrize("value, words", [
    ("FILE", "is a regular file: the synthesis cache is a directory"),
    ("FILE/cache", "under FILE, which is a regular file"),
    ("/dev/null", "is no directory"),
])
def test_a_cache_that_can_be_no_directory_is_refused_naming_the_variable(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          value: str, words: str) -> None:
    """$STRIDELAB_SYNTH_CACHE naming a regular file (or a path under one) was passed by as a cache that
    cannot be written: every recording was synthesized again, the 30-minute run on each test, silently."""
    blocked = tmp_path / "file"
    blocked.write_text("a file where the directory would go")
    monkeypatch.setenv(cache.CACHE_ENV, value.replace("FILE", str(blocked)))
    with pytest.raises(CacheSettingError) as err:
        synthesize(NAME)
    said = str(err.value)
    assert said.startswith(f"${cache.CACHE_ENV}={value.replace('FILE', str(blocked))}"), said
    assert words.replace("FILE", str(blocked)) in said and "'off' for no cache" in said, said
    assert blocked.read_text() == "a file where the directory would go"


def test_rig_refuses_such_a_cache_before_any_run(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")
    for argv in (["run", "standing"], ["synth", "standing", "--csv", "s.csv"], ["bench", "standing"]):
        proc = subprocess.run([sys.executable, "-m", "rig", *argv], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120, env={**os.environ, cache.CACHE_ENV: str(blocked)})
        assert proc.returncode == 2, (argv, proc.stderr[-2000:])
        assert f"${cache.CACHE_ENV}={blocked} is a regular file" in proc.stderr and "Traceback" not in proc.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == ["file"], "no run directory, no output"


def test_the_key_follows_every_file_of_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "scenarios"
    (package / "data").mkdir(parents=True)
    (package / "synth.py").write_text("x = 1\n")
    (package / "data" / "table.csv").write_text("a,b\n")
    monkeypatch.setattr(cache, "_PACKAGE", package)
    digests = []
    for edit in (None, package / "synth.py", package / "data" / "table.csv"):
        if edit is not None:
            edit.write_text(edit.read_text() + "# changed\n")
        monkeypatch.setattr(cache, "_source_digest", None)
        digests.append(cache.source_digest())
    assert len(set(digests)) == 3
    assert cache.entry_path(tmp_path, NAME, None, 416.0).name.endswith(digests[-1] + ".npz")


def test_the_oldest_entries_go_past_the_limit(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_BYTES", 1)
    synthesize(NAME)
    synthesize(NAME, seed=3)
    assert [p.name for p in cache_dir.glob("*.npz")] == [cache.entry_path(cache_dir, NAME, 3, 416.0).name]


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("code ran while loading",))


def test_an_entry_holding_pickled_objects_is_not_loaded(cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    synthesize(NAME)
    (entry,) = cache_dir.glob("*.npz")
    with open(entry, "wb") as f:
        np.savez(f, doc=np.array([_Boom()], dtype=object), t_s=np.zeros(3), acc_g=np.zeros((3, 3)),
                 gyro_dps=np.zeros((3, 3)))
    _same(synthesize(NAME), synthesize_def(get_scenario(NAME)))
    assert "code ran" not in capsys.readouterr().out


def test_a_truth_that_json_would_change_is_not_kept(cache_dir: Path) -> None:
    rec = synthesize_def(get_scenario(NAME))
    assert rec.truth is not None
    odd = dataclasses.replace(rec, truth=dataclasses.replace(rec.truth, meta={"window": (1.0, 2.0)}))
    cache._store(cache_dir, cache_dir / "odd.npz", odd)
    assert not (cache_dir / "odd.npz").exists()


def test_entries_of_the_former_pickle_format_are_removed(cache_dir: Path) -> None:
    old = cache_dir / "sprint-default-416.0-0123456789abcdef.pickle"
    old.write_bytes(b"\x80\x05N.")
    synthesize(NAME)
    assert not old.exists() and len(list(cache_dir.glob("*.npz"))) == 1


def test_only_the_cache_s_own_entries_are_ever_removed(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """STRIDELAB_SYNTH_CACHE naming a directory that holds other files (a project's, a home's): its
    pruning removed every *.pickle there and, past the size bound, every *.npz."""
    monkeypatch.setattr(cache, "MAX_BYTES", 1)
    theirs = [cache_dir / "model.pickle", cache_dir / "results.npz", cache_dir / "sprint-default-416.0-notours.npz"]
    for p in theirs:
        p.write_bytes(b"someone's data")
    synthesize(NAME)
    synthesize(NAME, seed=3)
    assert all(p.read_bytes() == b"someone's data" for p in theirs)
    assert [p.name for p in cache._entries(cache_dir, ".npz")] == [cache.entry_path(cache_dir, NAME, 3, 416.0).name]
