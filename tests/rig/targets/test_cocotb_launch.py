"""The cocotb target's launcher process says in a line, never a traceback, how its simulator failed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("cocotb_tools", reason="the cocotb extra is not installed")


class _KilledSimulator:
    """A runner whose simulator was killed (SIGKILL) while it ran: cocotb's runner raises RuntimeError."""

    def test(self, **kwargs: Any) -> None:
        raise RuntimeError("Command failed with return code: -9")


def test_a_killed_simulator_is_said_in_a_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A simulator SIGKILLed in a rig run: the launcher ended in a traceback (cocotb's runner raising
    'RuntimeError: Command failed with return code: -9'), and the rig's error quoted the traceback."""
    import rig.targets.cocotb_launch as launch

    monkeypatch.setattr(launch, "get_runner", lambda simulator: _KilledSimulator())
    settings = tmp_path / "cocotb.json"
    settings.write_text(json.dumps({"simulator": "icarus", "build_dir": str(tmp_path / "build"),
                                    "run_dir": str(tmp_path), "results": str(tmp_path / "results.xml"),
                                    "waves": False, "trace_name": "t.fst", "player_file": None}))
    assert launch.run(settings) == 1
    err = capsys.readouterr().err
    assert err == ("cocotb_launch: the simulator failed: Command failed with return code: -9 "
                   "(killed by SIGKILL)\n"), err
