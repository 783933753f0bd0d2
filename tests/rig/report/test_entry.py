"""A report entry on disk: written whole or not at all."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from rig.report.entry import Entry


def test_an_entry_cut_short_keeps_the_one_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write cut short (a full disk, a signal) left half an entry under its name: every later report of
    the directory then failed ('not a report entry (Unterminated string ...)')."""
    path = tmp_path / "host--walk.json"
    Entry("walk", "host", 1, "passed", "rig run walk --target host").write(path)
    before = path.read_text()
    real_write = Path.write_text

    def full_disk(self: Path, text: str, *args: object, **kwargs: object) -> int:
        real_write(self, text[: len(text) // 2])
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError, match="No space left"):
        Entry("walk", "host", 1, "failed", "rig run walk --target host").write(path)
    monkeypatch.undo()
    assert path.read_text() == before and json.loads(before)["verdict"] == "passed"
    assert [p.name for p in tmp_path.iterdir()] == ["host--walk.json"]  # no part file left
