"""The catalog: names, listing, lookup errors, and refusal of impossible parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scenarios import (
    ScenarioDef,
    ScenarioParameterError,
    Segment,
    UnknownScenarioError,
    get_scenario,
    list_scenarios,
    synthesize,
)
from scenarios.plot import plot_recording

REQUIRED = {
    "steady_run", "easy_run", "tempo_run", "sprint", "intervals", "heel_striker", "midfoot_striker",
    "forefoot_striker", "walk", "walk_run_transition", "standing", "fidgeting", "stairs_up",
    "stairs_down", "treadmill_run", "road_run", "fatigue_run", "run_30min", "noisy_sensor",
    "sprint_gyro_saturation", "dropouts", "clock_fast", "rotated_mount",
}


def test_catalog_lists_at_least_24_named_scenarios() -> None:
    infos = list_scenarios()
    names = [i.name for i in infos]
    assert len(names) >= 24 and len(set(names)) == len(names)
    assert REQUIRED <= set(names)
    for i in infos:
        assert i.description and "\n" not in i.description
        assert i.tags and i.duration_s > 0
    by = {i.name: i for i in infos}
    assert "run" in by["steady_run"].tags and 55 <= by["steady_run"].duration_s <= 70
    assert "still" in by["standing"].tags and "long" in by["run_30min"].tags
    assert by["run_30min"].duration_s >= 1800


def test_short_scenarios_synthesize_with_truth() -> None:
    for info in list_scenarios():
        if "long" in info.tags:
            continue
        rec = synthesize(info.name, odr_hz=104.0)
        assert rec.truth is not None, info.name
        assert rec.duration_s == pytest.approx(info.duration_s, abs=3.0), info.name
        assert np.isfinite(rec.acc_g).all() and np.isfinite(rec.gyro_dps).all()
        moving = "still" not in info.tags or "transition" in info.tags
        assert (len(rec.truth.strides) > 0) == moving, info.name


def test_unknown_name_lists_the_choices() -> None:
    with pytest.raises(UnknownScenarioError) as err:
        get_scenario("marathon_on_mars")
    assert isinstance(err.value, KeyError)
    assert "marathon_on_mars" in str(err.value) and "steady_run" in str(err.value)


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        (dict(speed_mps=-3.0), "speed_mps=-3.0"),
        (dict(gct_ms=900.0), "gct_ms=900.0"),
        (dict(strike="toe"), "strike='toe'"),
        (dict(duration_s=0.0), "duration_s=0.0"),
        (dict(activity="walk", speed_mps=4.0), "speed_mps=4.0"),
        (dict(surface="ice"), "surface='ice'"),
        (dict(cadence_spm=400.0), "cadence_spm=400.0"),
        (dict(pronation_deg=-2.0), "pronation_deg=-2.0"),
    ],
)
def test_impossible_parameters_are_refused_by_name(changes: dict, names: str) -> None:
    base = get_scenario("steady_run")
    with pytest.raises(ScenarioParameterError, match=names.replace("(", r"\(").replace(".", r"\.")):
        base.with_(**changes)


def test_segment_contact_longer_than_stride_is_refused() -> None:
    with pytest.raises(ScenarioParameterError, match="gct_ms"):
        Segment("run", 30.0, speed_mps=3.0, cadence_spm=170.0, gct_ms=600.0)
    with pytest.raises(ScenarioParameterError, match="end_speed_mps=-1"):
        Segment("run", 30.0, speed_mps=3.0, end_speed_mps=-1.0)
    assert isinstance(ScenarioDef(name="ok_run", description="fine", speed_mps=4.0), ScenarioDef)


def test_plot_draws_a_png(tmp_path: Path) -> None:
    rec = synthesize("walk")
    assert rec.truth is not None
    s = rec.truth.strides[4]
    out = plot_recording(
        rec, tmp_path / "walk.png", detected=[{"ic_s": s.ic_s + 0.01, "tc_s": s.tc_s}], t_range_s=(s.ic_s - 1, s.ic_s + 2)
    )
    assert out.exists() and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000
