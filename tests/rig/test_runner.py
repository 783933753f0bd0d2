"""run_recording and target_running: a target that fails while starting, or whose run ends in any way,
is stopped all the same, and says how it ended."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from rig.errors import RigError
from rig.runner import run_recording, target_running
from rig.targets.base import Availability, Target
from scenarios.catalog import synthesize


class _FailsToStart(Target):
    """A target whose emulator was launched but whose link never came up."""

    name = "fails_to_start"
    description = "starts half-way, then fails"

    def __init__(self) -> None:
        self.stops = 0

    @classmethod
    def availability(cls) -> Availability:
        return Availability(True)

    def start(self, run_dir: Path) -> str:
        raise RigError("the emulator did not serve its link")

    def stop(self) -> str:
        self.stops += 1
        return "emulator terminated"


def test_a_failed_start_still_stops_the_target(tmp_path: Path) -> None:
    target = _FailsToStart()
    with pytest.raises(RigError, match="did not serve its link(.|\n)*target: emulator terminated") as err:
        run_recording(target, synthesize("standing"), tmp_path)
    assert target.stops == 1
    assert str(tmp_path) in str(err.value)
    assert (tmp_path / "target.txt").read_text() == "emulator terminated\n"


class _Starts(_FailsToStart):
    """A target that starts (its link URL is a placeholder nothing opens)."""

    def start(self, run_dir: Path) -> str:
        return "socket://127.0.0.1:9"


@pytest.mark.parametrize("raised", [KeyboardInterrupt, RuntimeError, None])
def test_target_running_stops_the_target_on_every_way_out(tmp_path: Path, raised: type[BaseException] | None) -> None:
    """Ctrl-C (and the exception a SIGTERM/SIGHUP raises), any other error, a clean end: each stops
    the target once and writes target.txt; only a RigError gets the target's ending in its message."""
    target = _Starts()
    with pytest.raises(raised) if raised else contextlib.nullcontext():
        with target_running(target, tmp_path) as url:
            assert url == "socket://127.0.0.1:9"
            if raised:
                raise raised("interrupted")
    assert target.stops == 1
    assert (tmp_path / "target.txt").read_text() == "emulator terminated\n"


def test_target_running_says_how_the_target_ended_on_a_rig_error(tmp_path: Path) -> None:
    target = _Starts()
    with pytest.raises(RigError, match="no SUMMARY\n  target: emulator terminated\n  run directory: "):
        with target_running(target, tmp_path):
            raise RigError("no SUMMARY")
    assert target.stops == 1


class _KilledByOthers(_Starts):
    """A target whose firmware someone else killed mid-run (kill -9, the OOM killer)."""

    def stop(self) -> str:
        self.stops += 1
        return "stridelab-fw had already been killed by SIGKILL before the rig stopped it, exit status -9"


def test_a_link_failing_as_the_target_is_killed_names_the_kill_first(tmp_path: Path) -> None:
    """The error of a host firmware killed by someone else began 'writing to /dev/pts/N failed: Input/output
    error', its cause (the target killed, by SIGKILL) only on the target line below it."""
    from rig.errors import LinkError

    target = _KilledByOthers()
    with pytest.raises(LinkError) as err:
        with target_running(target, tmp_path):
            raise LinkError("writing to '/dev/pts/9' failed: [Errno 5] Input/output error", tmp_path / "rx.bin")
    said = str(err.value)
    assert said.startswith("stridelab-fw had already been killed by SIGKILL before the rig stopped it, exit status -9; "
                           "its link failed with it: writing to '/dev/pts/9' failed: [Errno 5] Input/output error\n"
                           f"  every byte received is in {tmp_path / 'rx.bin'}\n  run directory: {tmp_path}"), said
    assert target.stops == 1


@pytest.mark.target("host")
@pytest.mark.parametrize("full", ["rx.bin", "tx.bin", "frames.jsonl", "result.json", "target.txt"])
def test_a_capture_that_cannot_be_written_is_named(tmp_path: Path, full: str) -> None:
    """A --runs-dir on a full file system ended the run with 'rig run: error: [Errno 28] No space left
    on device', naming no file, and the failed write of target.txt then hid the error that ended the
    run. Here one capture file at a time is the kernel's full device."""
    from rig.errors import CaptureError
    from rig.targets.host import HostTarget
    from tests.rig.targets.test_host import still_recording

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / full).symlink_to("/dev/full")
    with pytest.raises(CaptureError) as err:
        run_recording(HostTarget(), still_recording(1.0), run_dir)
    said = str(err.value)
    assert said.startswith(f"cannot write the run's capture {run_dir / full} (No space left on device)"), said
    assert "--runs-dir" in said
    if full not in ("target.txt", "result.json"):  # written once the target has ended
        assert "target: " in said and "terminated" in said  # the error that ended the run, not target.txt's


def test_a_run_of_a_long_named_recording_gets_a_run_directory(tmp_path: Path) -> None:
    """rig replay of a recording named with 240 characters (a name its file system holds) was refused
    as '--runs-dir: cannot create a run directory there (File name too long)'."""
    from rig.runner import RUN_LABEL_CHARS, new_run_dir

    run_dir = new_run_dir(tmp_path, "r" * 240, "renode")
    assert run_dir.is_dir() and len(run_dir.name.encode()) <= 255
    assert f"-{'r' * RUN_LABEL_CHARS}-renode" in run_dir.name
