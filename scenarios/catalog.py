"""The scenario catalog: every named scenario as a small readable definition.

list_scenarios() lists them, get_scenario(name) returns one definition, synthesize(name)
turns it into a Recording with truth. Names are stable: tests and CI refer to them.
"""

from __future__ import annotations

from .definition import ScenarioDef, ScenarioInfo, Segment
from .errors import UnknownScenarioError
from .model import Recording
from .sensor import SensorModel
from .synth import synthesize_def

REAL = SensorModel.realistic()

_CATALOG: tuple[ScenarioDef, ...] = (
    ScenarioDef(
        name="steady_run",
        description="60 s steady road run at 3.0 m/s, heel striker, realistic sensor",
        tags=("run", "heel", "basic"),
        speed_mps=3.0,
        strike="heel",
        duration_s=60.0,
        seed=1,
    ),
    ScenarioDef(
        name="easy_run",
        description="45 s easy run at 2.6 m/s, heel striker",
        tags=("run", "heel"),
        speed_mps=2.6,
        duration_s=45.0,
        seed=2,
    ),
    ScenarioDef(
        name="tempo_run",
        description="45 s tempo run at 4.2 m/s, midfoot striker",
        tags=("run", "mid"),
        speed_mps=4.2,
        strike="mid",
        duration_s=45.0,
        seed=3,
    ),
    ScenarioDef(
        name="sprint",
        description="20 s sprint at 7.5 m/s on the forefoot",
        tags=("run", "fore", "sprint"),
        speed_mps=7.5,
        strike="fore",
        duration_s=20.0,
        seed=4,
    ),
)

_BY_NAME = {d.name: d for d in _CATALOG}


def list_scenarios() -> list[ScenarioInfo]:
    """Every scenario of the catalog: name, one-line description, tags, expected duration."""
    return [d.info() for d in _CATALOG]


def get_scenario(name: str) -> ScenarioDef:
    """The definition of a scenario; UnknownScenarioError lists the names that exist."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownScenarioError(
            f"unknown scenario {name!r}; available: {', '.join(sorted(_BY_NAME))}"
        ) from None


def synthesize(name: str, seed: int | None = None, odr_hz: float = 416.0) -> Recording:
    """Synthesize a catalog scenario; seed None uses the scenario's own (reproducible) seed."""
    return synthesize_def(get_scenario(name), seed=seed, odr_hz=odr_hz)
