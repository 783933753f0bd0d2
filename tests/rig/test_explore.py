"""`rig explore`: cases round-trip through the command they print, shrinking finds the minimal
gait, the judge applies the targets, bad parameters exit 2, and the analyzer holds on gaits
drawn from the region the map shows it holding."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rig.cli import main as rig_main
from rig.evaluate import Scores
from rig.explore import (
    BY_NAME,
    PARAMS,
    Case,
    Miss,
    Outcome,
    build_recording,
    draw_case,
    explore,
    judge,
    parse_case,
    parse_params,
    shrink,
)
from scenarios.errors import ScenarioParameterError


def _value(name: str) -> st.SearchStrategy[Any]:
    p = BY_NAME[name]
    if p.kind == "choice":
        return st.sampled_from(p.choices)
    if p.kind == "int":
        return st.integers(int(p.lo), int(p.hi))
    return st.floats(p.lo, p.hi).map(lambda v: round(v, 3))


@st.composite
def cases(draw: st.DrawFn, names: tuple[str, ...] = tuple(p.name for p in PARAMS)) -> Case:
    """Any combination of parameters away from neutral; impossible ones are assumed away."""
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=8))
    params = {n: draw(_value(n)) for n in chosen}
    if params.get("activity") in ("walk", "run") or params.get("source") == "resynth":
        act = "walk" if params.get("source") == "resynth" else params["activity"]
        lo, hi = (0.8, 2.0) if act == "walk" else (2.0, 8.0)
        params["activity"] = act
        params["speed_mps"] = draw(st.floats(lo, hi).map(lambda v: round(v, 2)))
    case = Case(tuple((p.name, params[p.name]) for p in PARAMS if p.name in params and params[p.name] != p.neutral),
                draw(st.integers(1, 10**6)))
    try:
        build_recording(case)
    except ScenarioParameterError:
        assume(False)
    return case


def _scores(**kw: Any) -> Scores:
    base = dict(n_truth=10, n_detected=10, n_matched=10, n_missed=0, n_false=0, recall=1.0, precision=1.0,
                ic_mae_ms=1.0, tc_mae_ms=1.0, gct_mae_ms=1.0, strike_accuracy=1.0)
    base.update(kw)
    return Scores(**base)  # type: ignore[arg-type]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(case=cases())
def test_the_printed_command_reproduces_the_gait_exactly(case: Case) -> None:
    cmd = case.command()
    spec = cmd.split("--case ", 1)[1].rsplit(" --seed ", 1)[0].strip("'")
    again = parse_case(spec, int(cmd.rsplit(" ", 1)[1]))
    assert again == case
    a, b = build_recording(case), build_recording(again)
    assert np.array_equal(a.t_s, b.t_s) and np.array_equal(a.gyro_dps, b.gyro_dps) and np.array_equal(a.acc_g, b.acc_g)
    assert a.truth == b.truth


def test_draws_are_valid_reproducible_and_cover_the_space() -> None:
    a = [draw_case(np.random.default_rng(3)) for _ in range(2)]
    assert a[0] == a[1]
    rng = np.random.default_rng(11)
    drawn = [draw_case(rng) for _ in range(40)]
    seen = {k for c in drawn for k, _ in c.params}
    assert {"activity", "strike", "site", "odr_hz", "turn_deg", "foot", "noise_scale", "precontact_lead_s"} <= seen
    assert {c.get("source") for c in drawn} == {"kinematic", "resynth"}


def test_fixed_parameters_hold_in_every_draw_and_through_shrinking() -> None:
    def blind(rec: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return [], {}

    fixed = {"activity": "walk", "speed_mps": 1.3, "foot": "left"}
    out = io.StringIO()
    outcomes = explore(3, seed=5, analyze=blind, out=out, fixed=fixed)
    for o in outcomes:
        assert o.case.get("activity") == "walk" and o.case.get("speed_mps") == 1.3 and o.case.get("foot") == "left"
    for ln in out.getvalue().splitlines():
        if "reproduce:" in ln:
            assert "activity=walk" in ln and "foot=left" in ln
    # without fixed parameters the draws are the ones the seed always gave
    assert [draw_case(np.random.default_rng(8)) for _ in range(1)] == [draw_case(np.random.default_rng(8), fixed={})]


def test_shrink_keeps_only_what_it_takes_to_miss() -> None:
    """With a judge that misses exactly when two parameters are both set, shrinking a case of
    six parameters ends with those two."""
    calls: list[Case] = []

    def fake_run(c: Case) -> Outcome:
        calls.append(c)
        names = {k for k, _ in c.params}
        misses = [Miss("ic_mae_ms", 50.0, 10.0)] if {"site", "precontact_lead_s"} <= names else []
        return Outcome(c, _scores(), misses)

    big = Case((("strike", "fore"), ("foot", "left"), ("odr_hz", 833.0), ("site", "laces"),
                ("precontact_lead_s", 0.0), ("impact_g", 12.0)), seed=9)
    small = shrink(fake_run(big), fake_run)
    assert dict(small.case.params).keys() == {"site", "precontact_lead_s"}
    assert dict(small.case.params)["site"] == "laces"
    assert small.case.seed == 9 and small.misses


def test_shrink_bisects_a_value_toward_neutral_while_it_still_misses() -> None:
    """With a judge that misses when the pre-contact lead exceeds 30 ms, a 73 ms lead shrinks to
    just above 30 ms, and the speed (irrelevant) goes back to neutral."""
    def fake_run(c: Case) -> Outcome:
        misses = [Miss("ic_mae_ms", 50.0, 10.0)] if c.get("precontact_lead_s") and c.get("precontact_lead_s") > 0.03 else []
        return Outcome(c, _scores(), misses)

    small = shrink(fake_run(Case((("speed_mps", 4.5), ("precontact_lead_s", 0.073)), seed=2)), fake_run)
    lead = dict(small.case.params)["precontact_lead_s"]
    assert list(dict(small.case.params)) == ["precontact_lead_s"]
    assert 0.03 < lead <= 0.03 + (0.073 - 0.004) / 2**5


def test_judge_applies_the_targets() -> None:
    straight = Case((("speed_mps", 4.0),))
    turning = Case((("turn_deg", 180.0),))
    assert judge(straight, _scores()) == []
    assert [m.metric for m in judge(straight, _scores(recall=0.97))] == ["recall"]
    assert judge(turning, _scores(recall=0.97)) == []  # turning steps: 95 %
    assert [m.metric for m in judge(straight, _scores(ic_mae_ms=12.0))] == ["ic_mae_ms"]
    # the truth has TC but the analyzer reported none: a miss, not a pass
    assert [m.metric for m in judge(straight, _scores(tc_mae_ms=None, gct_mae_ms=None))] == ["tc_mae_ms", "gct_mae_ms"]
    resynth = Case((("source", "resynth"), ("activity", "walk"), ("speed_mps", 1.3)))
    assert judge(resynth, _scores(strike_accuracy=0.0)) == []  # real strides carry no strike truth


def test_explore_prints_a_reproducing_command_for_each_miss() -> None:
    def blind(rec: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return [], {}

    out = io.StringIO()
    outcomes = explore(2, seed=4, analyze=blind, out=out)
    assert all(not o.held for o in outcomes)
    lines = [ln.strip() for ln in out.getvalue().splitlines() if "reproduce: " in ln]
    assert len(lines) == 2
    for ln in lines:
        spec = ln.split("--case ", 1)[1].rsplit(" --seed ", 1)[0].strip("'") if "--case" in ln else ""
        parse_case(spec, int(ln.rsplit(" ", 1)[1]))  # the printed command is valid


@pytest.mark.parametrize("spec,word", [
    ("speed_mps=9", "speed_mps"),
    ("pace=3", "pace"),
    ("odr_hz=50", "odr_hz"),
    ("activity=walk", "speed_mps"),
    ("source=resynth activity=stairs_up", "resynth"),
    ("source=resynth activity=walk speed_mps=1.3 site=laces", "site"),
    ("activity=stairs_down grade_pct=5", "grade_pct"),
    ("turn_pitch_scale=0.5", "turn_deg"),
    ("speed_mps", "name=value"),
    ("precontact_lead_s=0 precontact_hump_deg=5", "precontact_hump_deg"),
    ("speed_mps=3 speed_mps=4", "given twice"),
    ("activity=stairs_up strike=fore", "strike=fore"),
    ("activity=stairs_down speed_mps=1.2", "speed_mps=1.2"),
])
def test_bad_parameters_exit_2_naming_them(spec: str, word: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert rig_main(["explore", "--case", spec]) == 2
    err = capsys.readouterr().err
    assert word in err and "Traceback" not in err


def test_numeric_choices_are_read_by_value() -> None:
    # odr_hz=416 was refused: "must be one of 104.0, 208.0, 416.0, 833.0"
    assert parse_params("odr_hz=416 gyro_fs_dps=1e3") == {"odr_hz": 416.0, "gyro_fs_dps": 1000.0}
    for spec in ("odr_hz=415", "odr_hz=nan", "odr_hz=fast", "gyro_fs_dps=inf"):
        with pytest.raises(ValueError, match="must be one of"):
            parse_params(spec)


def test_a_drawn_stairs_gait_names_no_speed_or_strike_it_would_ignore() -> None:
    import numpy as np

    from rig.explore import draw_case

    rng = np.random.default_rng(7)
    cases = [draw_case(rng) for _ in range(60)]
    stairs = [c for c in cases if c.get("activity") in ("stairs_up", "stairs_down")]
    assert stairs
    for c in stairs:
        assert "strike=" not in c.spec and "speed_mps=" not in c.spec
        assert parse_case(c.spec, c.seed) == c  # its printed command reproduces it


def test_json_holds_each_gait_its_misses_and_its_minimal_gait(tmp_path: Any) -> None:
    import json

    from rig.explore import outcome_json

    def blind(rec: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return [], {}

    outcomes = explore(2, seed=4, analyze=blind, out=io.StringIO())
    docs = json.loads(json.dumps([outcome_json(o) for o in outcomes]))
    for d in docs:
        assert d["held"] is False and d["misses"][0]["metric"] == "recall"
        assert d["command"].startswith("rig explore ") and d["minimal"]["command"].startswith("rig explore ")
        assert d["minimal"]["misses"]


@pytest.mark.parametrize("name", ["walk.csv", "walk.truth.json", "map.png"])
def test_json_naming_another_kind_of_file_is_refused_before_any_gait(
        tmp_path: Any, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """rig explore --json walk.csv wrote the outcomes' JSON over a recording's name (and over a truth
    sidecar) after the whole draw: refused before any gait is drawn, the file untouched (exit 2)."""
    out = tmp_path / name
    out.write_text("keep me\n")
    assert rig_main(["explore", "--case", "activity=walk", "--json", str(out)]) == 2
    err = capsys.readouterr()
    assert "--json" in err.err and name in err.err and ".json" in err.err
    assert "strides matched" not in err.out  # nothing ran
    assert out.read_text() == "keep me\n"


def test_bad_fix_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert rig_main(["explore", "--cases", "1", "--fix", "pace=3"]) == 2
    assert "--fix" in capsys.readouterr().err
    assert rig_main(["explore", "--cases", "1", "--fix", "activity=stairs_up grade_pct=5"]) == 2
    assert "--fix" in capsys.readouterr().err
    assert rig_main(["explore", "--cases", "1", "--fix", "activity=stairs_up", "--fix", "strike=fore"]) == 2
    assert "strike=fore" in capsys.readouterr().err  # every --fix holds, the last does not replace the first
    assert rig_main(["explore", "--case", "speed_mps=4", "--fix", "strike=fore"]) == 2
    assert "--case" in capsys.readouterr().err


@pytest.mark.parametrize("argv, option", [
    (["--case", ""], "--case"), (["--case", " , "], "--case"),
    (["--cases", "1", "--fix", ""], "--fix"), (["--cases", "1", "--fix", "activity=walk", "--fix", " "], "--fix"),
])
def test_an_empty_case_or_fix_is_refused(argv: list[str], option: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--case "$GAIT" with GAIT unset ran the neutral gait (exit 0, 'neutral seed=1: ... held') and --fix ''
    held nothing, both as if meant."""
    assert rig_main(["explore", "--no-shrink", *argv]) == 2
    out, err = capsys.readouterr()
    assert f"{option} " in err and "names no parameter; give name=value pairs" in err, err
    assert f"omit {'--case' if option == '--case' else 'that --fix'}" in err and not out, (out, err)


def test_zero_cases_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert rig_main(["explore", "--cases", "0"]) == 2
    assert "--cases" in capsys.readouterr().err


HELD_RUNS = st.fixed_dictionaries({
    "speed_mps": st.floats(2.5, 6.0).map(lambda v: round(v, 2)),
    "site": st.sampled_from(["midsole", "heel"]),
    "foot": st.sampled_from(["right", "left"]),
    "odr_hz": st.sampled_from([208.0, 416.0, 833.0]),
    "noise_scale": st.floats(0.0, 3.0).map(lambda v: round(v, 2)),
    "surface": st.sampled_from(["road", "treadmill"]),
    "cadence_scale": st.floats(0.95, 1.05).map(lambda v: round(v, 3)),
})


@settings(max_examples=15, deadline=None)
@given(params=HELD_RUNS, seed=st.integers(1, 10**6))
def test_the_analyzer_holds_on_heel_striking_runs_at_any_rate_foot_and_noise(params: dict, seed: int) -> None:
    """The region `rig explore --map` shows held: heel strikes, 2.5-6 m/s, sensor in the midsole
    or the heel, any foot, 208-833 Hz, up to three times the realistic sensor errors."""
    from rig.explore import run_case

    case = Case(tuple((k, v) for k, v in params.items() if v != BY_NAME[k].neutral), seed)
    oc = run_case(case)
    assert oc.held, f"{case.command()}: " + "; ".join(map(str, oc.misses))


def test_bench_figures_of_the_explored_space_and_the_map() -> None:
    from rig.explore import MAP_SITES, MAP_SPEEDS, MAP_STRIKES, explored_summary, format_explored, format_map, holding_map

    def blind(rec: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return [], {}

    s = explored_summary(n=3, seed=2, analyze=blind)
    assert s["held"] == 0 and s["recall"] == 0.0 and s["gaits_missing"]["recall"] == 3
    assert "0/3 held" in format_explored(s) and "--cases 3 --seed 2" in format_explored(s)
    assert s["straight"]["cases"] + s["turning"]["cases"] == 3 and s["worst"] == {}
    assert set(s["activity"]) == {"walk", "run", "stairs_up", "stairs_down"} and s["level_activity"] is None
    rows = holding_map(seeds=(1,), analyze=blind)
    assert len(rows) == len(MAP_SPEEDS) * len(MAP_STRIKES) * len(MAP_SITES)
    assert all(r["recall"] == 0.0 and r["ic_mae_ms"] is None for r in rows)
    table = format_map(rows)
    assert all(site in table for site in MAP_SITES) and "run 6 fore" in table


@pytest.mark.parametrize("text, value", [("104", 104.0), ("104.0", 104.0), ("833", 833.0), ("1e3", 1000.0)])
def test_a_numeric_choice_reads_however_the_number_is_written(text: str, value: float) -> None:
    """odr_hz=104 is the 104.0 of the choices (it was refused as not one of them)."""
    name = "odr_hz" if value != 1000.0 else "gyro_fs_dps"
    assert parse_params(f"{name}={text}")[name] == value


def test_a_number_that_is_no_choice_is_still_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """odr_hz=100 is not a rate the sensor has: exit 2 naming it."""
    assert rig_main(["explore", "--case", "odr_hz=100"]) == 2
    assert "odr_hz='100'" in capsys.readouterr().err


@pytest.mark.parametrize("spec, words", [
    # float() read 1_0 as 10 and the digits of other scripts as numbers: a gait the user never wrote
    ("noise_scale=1_0", ("noise_scale='1_0': not a number; write it in decimal digits",)),
    ("turn_deg=١٠", ("turn_deg='١٠': not a number",)),
    ("speed_mps=nan", ("speed_mps='nan': not a number",)),
    # a word of 100,000 characters was quoted whole in the message
    ("strike=" + "x" * 100_000, ("strike='" + "x" * 40 + "'... (100000 characters): must be one of heel, mid, fore",)),
    ("a" * 100_000 + "=1", ("'" + "a" * 40 + "'... (100000 characters): unknown parameter",)),
])
def test_a_case_value_is_read_as_written_and_quoted_short(spec: str, words: tuple[str, ...],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert rig_main(["explore", "--case", spec]) == 2
    err = capsys.readouterr().err
    assert len(err) < 1000 and "Traceback" not in err, err[:2000]
    for w in words:
        assert w in err, err


def test_a_morphology_parameter_takes_law_its_neutral_as_listed(capsys: pytest.CaptureFixture[str]) -> None:
    """--list shows the morphology parameters' neutral as 'law', and precontact_lead_s=law was refused as 'not a
    number' (--fix could not hold a parameter at the gait laws' own value while the others were drawn)."""
    assert parse_case("precontact_lead_s=law landing_dps=law", seed=1) == parse_case("", seed=1)
    fixed = parse_params("landing_dps=law tc_deg=law", "--fix")
    rng = np.random.default_rng(4)
    for _ in range(20):
        case = draw_case(rng, fixed=fixed)
        assert case.get("landing_dps") is None and case.get("tc_deg") is None, case
    assert rig_main(["explore", "--case", "tc_deg=lw"]) == 2
    assert "tc_deg='lw': not a number; write it in decimal digits (e.g. tc_deg=-70.0, or tc_deg=law for the gait " \
           "laws' own)" in capsys.readouterr().err


def test_a_negative_zero_reads_as_zero() -> None:
    """noise_scale=-0 passed the range check and then failed inside the noise model: 'bad parameters:
    scale < 0', naming neither the parameter nor the value."""
    value = parse_params("noise_scale=-0 drop_rate=-0.0")
    assert value == {"noise_scale": 0.0, "drop_rate": 0.0}
    assert all(math.copysign(1.0, v) == 1.0 for v in value.values())


@pytest.mark.parametrize("argv, words", [
    # --cases was ignored with --case: one gait ran, exit 0, as if five had been drawn
    (["--case", "speed_mps=3", "--cases", "5"], ("--cases 5 draws gaits, and --case runs exactly one",)),
    # --map drew nothing: --fix was not applied to it, --json wrote [] and --cases, --seed went unused
    (["--map", "--fix", "strike=fore"], ("--map prints the holding map", "--fix would be ignored")),
    (["--map", "--cases", "3", "--seed", "2"], ("--cases, --seed would be ignored",)),
    (["--map", "--json", "out.json"], ("--json would be ignored",)),
    # --list printed the parameters and wrote no out.json, ran no gait, exit 0
    (["--list", "--json", "out.json"], ("--list prints the parameters and runs nothing: --json would be ignored",)),
    (["--list", "--case", "strike=fore", "--seed", "3"], ("--case, --seed would be ignored",)),
])
def test_options_a_command_would_ignore_are_refused(argv: list[str], words: tuple[str, ...], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert rig_main(["explore", *argv]) == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, err
    assert not (tmp_path / "out.json").exists()


def test_a_draw_past_a_million_gaits_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """--cases 99999999999999999999999 (a typo's extra digits) drew gaits until stopped, keeping every
    outcome for the summary: years of work, then out of memory."""
    assert rig_main(["explore", "--cases", "9" * 23, "--no-shrink"]) == 2
    err = capsys.readouterr().err
    assert "--cases 99999999999999999999... (23 digits): at most 1000000 gaits in one draw" in err, err


@pytest.mark.parametrize("spec", ["source=resynth activity=walk speed_mps=5", "source=resynth activity=walk"])
def test_resynthesized_walking_keeps_to_walking_speeds(spec: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Real walking strides were warped to any speed (5 m/s, or the neutral 3 m/s when none was given)
    and the analyzer charged with the misses of a walk nobody walks; the kinematic walk refused it."""
    assert rig_main(["explore", "--case", spec]) == 2
    assert "walk speeds are 0.8..2 m/s here; give speed_mps in that range" in capsys.readouterr().err
