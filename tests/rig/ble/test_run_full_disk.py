"""`rig ble` on a file system that fills: the run ends with the capture named (exit 2 in the CLI), never a
thread's traceback and a run waiting for a phone whose output nobody reads; result.json and app_view.json
are whole or not there."""

from __future__ import annotations

import errno
import threading
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("bumble", reason="the BLE shoe needs the ble extra: pip install -e '.[ble]'")

from rig.ble import run as ble_run  # noqa: E402
from rig.errors import CaptureError  # noqa: E402
from rig.targets.host import HostTarget  # noqa: E402

pytestmark = pytest.mark.target("host")


def _run_dir_with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, full: str) -> Path:
    """The run directory run_ble will use, with the capture `full` already the kernel's full device."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / full).symlink_to("/dev/full")
    monkeypatch.setattr(ble_run, "new_run_dir", lambda *args: run_dir)
    return run_dir


def test_a_phone_capture_that_cannot_be_written_ends_the_run_naming_it(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    """phone.jsonl on a full disk: the thread that reads the phone died with 'OSError: [Errno 28] No space
    left on device' printed as a traceback, the phone's lines were no longer read, and the run waited out
    its 180 s for a subscription that had come, then failed 'the phone did not subscribe'."""
    run_dir = _run_dir_with(monkeypatch, tmp_path, "phone.jsonl")
    died: list[Any] = []
    monkeypatch.setattr(threading, "excepthook", died.append)
    with pytest.raises(CaptureError) as err:
        ble_run.run_ble(HostTarget(), "standing", tmp_path, timeouts=None)
    said = str(err.value)
    assert said.startswith(f"cannot write the run's capture {run_dir / 'phone.jsonl'} (No space left on device)"), said
    assert died == [], "no thread ended with an exception"
    assert (run_dir / "target.txt").read_text().strip(), "the target was stopped and said how"


@pytest.mark.parametrize("capture", ["result.json", "app_view.json"])
def test_a_result_cut_short_by_the_disk_leaves_no_half_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                            capture: str) -> None:
    """result.json and app_view.json were written in place: a disk that filled half-way left half a JSON
    under the name, which a script or a report then read as the run's result."""
    written = Path.write_text

    def fills_half_way(self: Path, text: str, *args: Any, **kwargs: Any) -> int:
        if capture in self.name:
            written(self, text[:len(text) // 2], *args, **kwargs)
            raise OSError(errno.ENOSPC, "No space left on device")
        return written(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", fills_half_way)
    with pytest.raises(CaptureError, match=f"cannot write the run's capture .*{capture} \\(No space left on device\\)"):
        ble_run.run_ble(HostTarget(), "standing", tmp_path / "runs")
    (run_dir,) = (tmp_path / "runs").iterdir()
    left = sorted(p.name for p in run_dir.iterdir())
    assert capture not in left and not [n for n in left if ".part" in n], left
    assert "phone.jsonl" in left and "rx.bin" in left


def test_a_run_cut_short_ends_the_phone_at_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Ctrl-C (SIGTERM, SIGHUP) during rig ble took 10 s to end the command: with the target stopped, the phone,
    still waiting for notifications from a shoe that was gone, was given 10 s to end by itself before it was
    terminated. A run that fails or is interrupted now terminates the phone without waiting for it."""
    import subprocess

    from rig.session import ReplaySession

    calls: list[tuple[str, object]] = []

    class Watched(subprocess.Popen):  # type: ignore[type-arg]
        def wait(self, timeout: float | None = None) -> int:
            if "rig.ble.phone" in self.args:
                calls.append(("wait", timeout))
            return super().wait(timeout)

        def terminate(self) -> None:
            if "rig.ble.phone" in self.args:
                calls.append(("terminate", None))
            super().terminate()

    def interrupted(self: ReplaySession, raw: object) -> None:
        raise KeyboardInterrupt("SIGTERM")

    monkeypatch.setattr(ble_run.subprocess, "Popen", Watched)
    monkeypatch.setattr(ReplaySession, "stream", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ble_run.run_ble(HostTarget(), "standing", tmp_path / "runs")
    assert calls and calls[0] == ("terminate", None), calls
