"""pytest plugin of the rig (registered through the pytest11 entry point).

Options: --target NAME (default host), --port URL (board link), --runs-dir DIR.
Marker:  @pytest.mark.target("host", "qemu") runs a test only on those targets
         (skipped elsewhere); a marker without names or with an unknown name is
         an error, not a silent skip.
Fixtures: rig_target (the Target, skipped with the reason if unavailable here),
          dut (rig.dut.Dut: a started target, its open Link, expect/send), run_scenario (synthesize,
          replay and check a catalog scenario), runs_dir.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rig.dut import Dut
from rig.errors import RigError
from rig.link import Link
from rig.runner import ScenarioRun, new_run_dir, run_scenario
from rig.targets import TARGETS, make_target
from rig.targets.base import Target

__all__ = ["Dut", "ScenarioRun", "dut", "rig_target", "run_scenario_fixture", "runs_dir"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the rig's command-line options."""
    group = parser.getgroup("stridelab", "Stridelab HIL rig")
    group.addoption("--target", action="store", default="host", metavar="NAME",
                    help=f"rig target the firmware runs on: {', '.join(TARGETS)} (default host)")
    group.addoption("--port", action="store", default=None, metavar="URL",
                    help="board link URL for --target board: /dev/ttyACM0, rfc2217://host:port, socket://host:port")
    group.addoption("--runs-dir", action="store", default=None, metavar="DIR",
                    help="keep run captures here (default: pytest's temporary directory)")


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and check the target name early."""
    config.addinivalue_line("markers", "target(*names): run only on the named rig targets")
    name = config.getoption("--target")
    if name not in TARGETS:
        raise pytest.UsageError(f"--target {name!r} is not a rig target; choose one of: {', '.join(TARGETS)}")
    try:
        make_target(name, config.getoption("--port"))  # a port for a target that starts its own link, say
    except RigError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip tests whose target marker excludes this session's target; reject bad markers."""
    current = item.config.getoption("--target")
    for mark in item.iter_markers(name="target"):
        names = mark.args
        if not names or not all(isinstance(n, str) for n in names):
            pytest.fail(f"{item.nodeid}: @pytest.mark.target needs target names, e.g. target('host', 'qemu')",
                        pytrace=False)
        unknown = [n for n in names if n not in TARGETS]
        if unknown:
            pytest.fail(f"{item.nodeid}: @pytest.mark.target names unknown target(s) {unknown}; "
                        f"known: {', '.join(TARGETS)}", pytrace=False)
        if current not in names:
            pytest.skip(f"runs on target(s) {', '.join(names)}; this session's --target is {current}")


@pytest.fixture(scope="session")
def runs_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this session keeps run captures."""
    opt = request.config.getoption("--runs-dir")
    return Path(opt) if opt else tmp_path_factory.mktemp("runs")


@pytest.fixture
def rig_target(request: pytest.FixtureRequest) -> Target:
    """The session's target, not started; skips with the reason if it cannot run here."""
    name = request.config.getoption("--target")
    target = make_target(name, request.config.getoption("--port"))
    avail = target.usable()
    if not avail.ok:
        pytest.skip(f"target {name} unavailable: {avail.reason}")
    return target


@pytest.fixture
def dut(rig_target: Target, runs_dir: Path, request: pytest.FixtureRequest) -> Iterator[Dut]:
    """The firmware started on the session's target, with its link open (rig.dut.Dut: expect, expect_sequence,
    send, replay); stopped afterwards, its captures in its own run directory."""
    run_dir = new_run_dir(runs_dir, request.node.name, rig_target.name)
    try:
        link = Link(rig_target.start(run_dir), run_dir)
    except BaseException:
        rig_target.stop()  # a target that failed half-way up is stopped too
        raise
    try:
        yield Dut(rig_target, link, run_dir)
    finally:
        link.close()
        rig_target.stop()


@pytest.fixture(name="run_scenario")
def run_scenario_fixture(rig_target: Target, runs_dir: Path) -> Callable[..., ScenarioRun]:
    """Callable: run_scenario(name, seed=None) synthesizes, replays and checks a scenario (rig.runner.run_scenario)."""

    def run(name: str, seed: int | None = None) -> ScenarioRun:
        return run_scenario(rig_target, name, runs_dir, seed)

    return run
