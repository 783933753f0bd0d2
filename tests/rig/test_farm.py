"""A board farm on labgrid, for real on loopback: a labgrid coordinator and exporter, a ser2net per
board serving the native firmware's pty as RFC 2217, places that the board target acquires, holds
for the run and releases on every exit path; pytest-xdist workers each take a different place."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rig.errors import RigError
from rig.farm import PlaceLease, labgrid_missing, place_pool, worker_order

pytestmark = [
    pytest.mark.target("host"),
    pytest.mark.skipif(labgrid_missing() is not None, reason=str(labgrid_missing())),
]

RELEASE_BOUND_S = 60.0


def test_a_pool_is_tried_from_the_worker_s_own_place(monkeypatch: pytest.MonkeyPatch) -> None:
    pool = ["a", "b", "c"]
    assert worker_order(pool, "gw0") == ["a", "b", "c"]
    assert worker_order(pool, "gw1") == ["b", "c", "a"]
    assert worker_order(pool, "gw4") == ["b", "c", "a"]
    assert worker_order(pool, "") == pool
    monkeypatch.setenv("LG_PLACE", "x, y")
    assert place_pool(None) == ["x", "y"] and place_pool("z") == ["z"]
    monkeypatch.delenv("LG_PLACE")
    with pytest.raises(RigError, match="no labgrid place given: pass --place NAME"):
        place_pool(None)


def test_a_pool_naming_a_place_twice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """--place a,a was a pool of two for one board: the second pytest-xdist worker found it held and failed every test."""
    with pytest.raises(RigError, match=r"--place nucleo-1, nucleo-1: names nucleo-1 twice; give each place of the pool"):
        place_pool("nucleo-1, nucleo-1")
    monkeypatch.setenv("LG_PLACE", "a,b,a")
    with pytest.raises(RigError, match=r"\$LG_PLACE=a,b,a: names a twice"):
        place_pool(None)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from rig.farm_lab import EmulatedLab

    farm = EmulatedLab(3, tmp_path_factory.mktemp("lab"))
    try:
        farm.start()
        yield farm
    finally:
        farm.stop()


def _env(lab: object) -> dict[str, str]:
    # wide enough that pytest's summary lines keep the error's first words
    return {**os.environ, "LG_COORDINATOR": lab.coordinator, "COLUMNS": "400"}  # type: ignore[attr-defined]


def _wait_released(lab: object, place: str) -> None:
    deadline = time.monotonic() + RELEASE_BOUND_S
    while lab.acquired().get(place):  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"{place} still acquired after {RELEASE_BOUND_S:g} s"
        time.sleep(0.2)


def _rig_run(lab: object, tmp_path: Path, place: str, scenario: str = "sprint") -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "rig", "run", scenario, "--target", "board", "--place", place,
                             "--board-profile", "host", "--runs-dir", str(tmp_path / "runs")],
                            env=_env(lab), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_run_acquires_its_place_and_releases_it(lab: object, tmp_path: Path) -> None:
    proc = _rig_run(lab, tmp_path, "lab-1")
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert out.startswith("PASS sprint on board")
    (run_dir,) = (tmp_path / "runs").iterdir()
    said = (run_dir / "target.txt").read_text()
    assert "(labgrid place lab-1); place lab-1 released" in said and "rfc2217://127.0.0.1:" in said
    assert lab.acquired() == {"lab-1": "", "lab-2": "", "lab-3": ""}  # type: ignore[attr-defined]


def test_a_place_someone_holds_is_named(lab: object, tmp_path: Path) -> None:
    lease = PlaceLease.acquire(["lab-2"], lab.coordinator)  # type: ignore[attr-defined]
    try:
        proc = _rig_run(lab, tmp_path, "lab-2")
        _, err = proc.communicate(timeout=600)
    finally:
        lease.release()
    assert proc.returncode == 2
    assert "no labgrid place of lab-2 could be acquired: lab-2: acquired by" in err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_ctrl_c_and_a_crash_release_the_place(lab: object, tmp_path: Path, sig: signal.Signals) -> None:
    # long enough that the replay is still under way when the signal comes, however fast the link is
    proc = _rig_run(lab, tmp_path, "lab-3", "fatigue_run")
    try:
        deadline = time.monotonic() + 300
        while not any((tmp_path / "runs").glob("*/rx.bin")) or lab.acquired().get("lab-3") == "":  # type: ignore
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.1)
        assert lab.acquired()["lab-3"]  # type: ignore[attr-defined]
        proc.send_signal(sig)
        proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL)
    _wait_released(lab, "lab-3")


def _pytest_on_the_farm(lab: object, tmp_path: Path, places: str, select: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2", "tests/hil", "--target", "board",
         "--board-profile", "host", "--place", places, "--runs-dir", str(tmp_path / "runs"), "-k", select],
        cwd=Path(__file__).parents[2], env=_env(lab), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _places_used(runs: Path) -> list[str]:
    used = []
    for target in sorted(runs.glob("*/target.txt")):
        text = target.read_text()
        used.append(text.split("(labgrid place ")[1].split(")")[0])
    return used


def test_xdist_workers_each_take_their_own_place(lab: object, tmp_path: Path) -> None:
    proc = _pytest_on_the_farm(lab, tmp_path, "lab-1,lab-2,lab-3", "sprint or stairs")
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, out[-3000:]
    used = _places_used(tmp_path / "runs")
    assert len(used) >= 4 and set(used) == {"lab-1", "lab-2"}, "two workers, two places, none shared"
    assert lab.acquired() == {"lab-1": "", "lab-2": "", "lab-3": ""}  # type: ignore[attr-defined]


def test_a_place_pulled_mid_run_fails_its_tests_with_the_reason(lab: object, tmp_path: Path) -> None:
    """lab-1 leaves the rack after its first run has begun: its tests fail naming it; the rest pass."""
    proc = _pytest_on_the_farm(lab, tmp_path, "lab-1,lab-2", "sprint or stairs or walk")

    def pull_when_lab1_runs() -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None:
            if lab.acquired().get("lab-1") and any((tmp_path / "runs").glob("*/rx.bin")):  # type: ignore
                lab.pull("lab-1")  # type: ignore[attr-defined]
                return
            time.sleep(0.1)

    puller = threading.Thread(target=pull_when_lab1_runs, daemon=True)
    puller.start()
    out, _ = proc.communicate(timeout=900)
    puller.join(10)
    assert proc.returncode == 1, out[-3000:]
    failed = [line for line in out.splitlines() if line.startswith("FAILED")]
    assert failed and all("lab-1" in line for line in failed), out[-3000:]
    assert " passed" in out.splitlines()[-1], "the tests on lab-2 passed"
    assert lab.acquired() == {"lab-1": "", "lab-2": "", "lab-3": ""}  # type: ignore[attr-defined]
