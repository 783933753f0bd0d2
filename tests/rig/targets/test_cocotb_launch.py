"""The cocotb target's simulation ended: how its launcher says a failed simulator, and how soon stop() ends it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


class _KilledSimulator:
    """A runner whose simulator was killed (SIGKILL) while it ran: cocotb's runner raises RuntimeError."""

    def test(self, **kwargs: Any) -> None:
        raise RuntimeError("Command failed with return code: -9")


def test_a_killed_simulator_is_said_in_a_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A simulator SIGKILLed in a rig run: the launcher ended in a traceback (cocotb's runner raising
    'RuntimeError: Command failed with return code: -9'), and the rig's error quoted the traceback."""
    pytest.importorskip("cocotb_tools", reason="the cocotb extra is not installed")
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


def test_a_simulation_cut_short_by_a_signal_is_not_waited_for(tmp_path: Path) -> None:
    """rig run on the cocotb target, SIGTERM (SIGINT, SIGHUP) while the simulation started up: the rig took
    11 s to exit, stop() giving the simulation its whole grace to end by itself while it waited for a link
    that would never come."""
    import subprocess
    import sys
    import time

    from rig.targets.cocotb import CocotbTarget

    target = CocotbTarget(simulator="icarus", waves=False, stop_grace_s=30.0)
    target._proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    target._run_dir = tmp_path
    t0 = time.monotonic()
    try:
        raise KeyboardInterrupt("SIGTERM")  # as the rig's signal handler raises it
    except KeyboardInterrupt:
        said = target.stop()
    assert time.monotonic() - t0 < 10, said
    assert "was killed 1.5 s after the rig was cut short" in said, said
