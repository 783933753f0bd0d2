"""The scenario suite: every catalog scenario on the session's target, judged against its truth.

Run on one target:  pytest tests/hil --target qemu
`nox -s hil` runs it on every target available on the machine.
"""

from __future__ import annotations

from typing import Callable

import pytest

from scenarios.catalog import list_scenarios

#: Scenarios longer than this run only when -m slow is asked for, except on the fast targets.
SHORT_S = 120.0
#: Targets that replay at well over 50x real time: the 30-minute run costs them under a minute.
FAST_TARGETS = ("host", "qemu")


def _params() -> list:
    """Longest first: with parallel workers (-n) the long runs start at once, not last, while the
    other workers share out the short ones (the suite does not end waiting on one long run)."""
    out = []
    for info in sorted(list_scenarios(), key=lambda info: -info.duration_s):
        marks = [pytest.mark.slow] if info.duration_s > SHORT_S else []
        out.append(pytest.param(info.name, marks=marks, id=info.name))
    return out


@pytest.mark.parametrize("name", _params())
def test_scenario(name: str, run_scenario: Callable, request: pytest.FixtureRequest) -> None:
    target = request.config.getoption("--target")
    marked_slow = request.node.get_closest_marker("slow") is not None
    if marked_slow and target not in FAST_TARGETS and "slow" not in (request.config.getoption("-m") or ""):
        pytest.skip(f"long scenario: on {target} it runs with -m slow")
    run = run_scenario(name)
    assert run.report.passed, f"{name} on {target}:\n{run.report.explain()}\ncaptures: {run.run_dir}"
