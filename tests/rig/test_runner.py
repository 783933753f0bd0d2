"""run_recording: a target that fails while starting is stopped all the same, and says how it ended."""

from __future__ import annotations

from pathlib import Path

import pytest

from rig.errors import RigError
from rig.runner import run_recording
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
