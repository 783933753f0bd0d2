"""The `rig` command line: the contracts outside tools rely on, and its errors on bad input."""

from __future__ import annotations

import argparse
import json
import shlex
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from rig.cli import build_parser, main
from scenarios.catalog import get_scenario, list_scenarios


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_catalog_and_targets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "list", "--json")
    assert code == 0
    doc = json.loads(out)
    names = {s["name"] for s in doc["scenarios"]}
    assert "steady_run" in names and len(names) >= 24
    assert doc["targets"]["host"]["available"] is True
    assert doc["targets"]["board"]["reason"]


def test_python_dash_m_rig_is_the_cli() -> None:
    proc = subprocess.run([sys.executable, "-m", "rig", "list"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "steady_run" in proc.stdout and "targets:" in proc.stdout


@pytest.mark.target("host")
def test_synth_then_replay_writes_one_entry_per_stride(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "steady.csv"
    code, out, err = run_cli(capsys, "synth", "steady_run", "--csv", str(csv))
    assert code == 0, err
    truth = json.loads((tmp_path / "steady.truth.json").read_text())
    out_json = tmp_path / "result.json"
    code, _, err = run_cli(capsys, "replay", str(csv), "--target", "host", "--json", str(out_json),
                           "--runs-dir", str(tmp_path / "runs"))
    assert code == 0, err
    doc = json.loads(out_json.read_text())
    assert set(doc) == {"strides", "summary"}
    n_truth = len(truth["strides"])
    # One entry per stride: the truth's strides, give or take the first and last (no predecessor/successor).
    assert n_truth - 2 <= len(doc["strides"]) <= n_truth
    for s in doc["strides"]:
        assert {"ic_s", "tc_s", "gct_ms", "strike", "fsa_deg", "stride_m"} <= set(s)
        assert s["strike"] in ("heel", "mid", "fore", None)
    assert doc["summary"]["strides"] == len(doc["strides"])
    assert {"cadence_spm", "distance_m"} <= set(doc["summary"])


@pytest.mark.target("host")
def test_run_steady_run_passes_on_host(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", "steady_run", "--target", "host", "--runs-dir", str(tmp_path))
    assert code == 0, out + err
    assert out.startswith("PASS steady_run on host")


@pytest.mark.parametrize(
    ("argv", "pattern"),
    [
        (["run", "no_such_scenario"], r"unknown scenario 'no_such_scenario'.*steady_run"),
        (["run", "steady_run", "--target", "mars"], r"unknown target 'mars'; choose one of: host"),
        (["synth", "jogging_on_the_moon", "--csv", "x.csv"], r"jogging_on_the_moon"),
        (["replay", "missing.csv", "--target", "host"], r"missing.csv"),
        (["run", "steady_run", "--target", "board", "--port", "/dev/ttyNOPE0"], r"cannot open the link '/dev/ttyNOPE0'"),
        (["run", "steady_run", "--target", "host", "--port", "/dev/ttyACM0"], r"--port is for the board target"),
    ],
)
def test_bad_input_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                     argv: list[str], pattern: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    import re

    assert re.search(pattern, err, re.S), err


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        ("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps\n0,0,0,1,0,0\n", r"gz_dps"),
        ("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n0,0,0,1,0,0,0\n0.01,0,zero,1,0,0,0\n", r"line 3"),
        ("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n0,0,0,1,0,0,0\n0,0,0.5,1,0,0,0\n", r"line 3"),
    ],
    ids=["missing-column", "bad-number", "time-not-increasing"],
)
def test_corrupt_csv_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, pattern: str) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(body)
    code, _, err = run_cli(capsys, "replay", str(csv), "--target", "host", "--runs-dir", str(tmp_path / "runs"))
    assert code == 2
    assert "bad.csv" in err
    import re

    assert re.search(pattern, err), err
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_firmware_that_never_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 'board' that accepts the connection and stays silent: timeout, exit 2, capture kept."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    stop = threading.Event()

    def accept() -> None:
        conn, _ = server.accept()
        stop.wait(20)
        conn.close()

    threading.Thread(target=accept, daemon=True).start()
    try:
        code, _, err = run_cli(capsys, "run", "steady_run", "--target", "board", "--port",
                               f"socket://127.0.0.1:{port}", "--runs-dir", str(tmp_path))
    finally:
        stop.set()
    assert code == 2
    assert "did not send HELLO" in err
    run_dirs = list(tmp_path.iterdir())
    assert len(run_dirs) == 1 and (run_dirs[0] / "rx.bin").exists()
    assert str(run_dirs[0]) in err


def test_run_with_report_writes_a_row_with_the_command_that_runs_it_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report"
    code, out, err = run_cli(capsys, "run", "sprint", "--target", "host", "--runs-dir", str(tmp_path / "runs"),
                             "--report", str(report))
    assert code == 0, out + err
    assert f"report: {report}/index.html" in err
    entry = json.loads((report / "entries" / "host--sprint.json").read_text())
    assert entry["verdict"] == "passed" and entry["seed"] == get_scenario("sprint").seed
    again = build_parser().parse_args(shlex.split(entry["command"])[1:])
    assert (again.scenarios, again.target, again.seed) == (["sprint"], "host", get_scenario("sprint").seed)
    assert entry["command"] in (report / "index.html").read_text()
    assert (report / entry["run_dir"] / "frames.jsonl").is_file() and (report / entry["plot"]).is_file()


def test_runs_that_cannot_complete_are_retried_recorded_and_the_rest_still_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a server that hangs up on every connection: the port is there (a refused one is refused before any run), and
    # every attempt fails at once
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    stop = threading.Event()

    def hang_up() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                server.accept()[0].close()
            except TimeoutError:
                continue

    serving = threading.Thread(target=hang_up, daemon=True)
    serving.start()
    report = tmp_path / "report"
    try:
        code, _, err = run_cli(capsys, "run", "sprint", "walk", "--target", "board", "--port",
                               f"socket://127.0.0.1:{port}", "--runs-dir", str(tmp_path / "runs"), "--report",
                               str(report), "--retries", "1")
    finally:
        stop.set()
        serving.join()
        server.close()
    assert code == 2
    assert err.count("ERROR sprint on board") == 2 and err.count("ERROR walk on board") == 2
    verdicts = {p.name: json.loads(p.read_text())["verdict"] for p in (report / "entries").iterdir()}
    assert verdicts == {"board--sprint.json": "error", "board--walk.json": "error"}
    assert f"--port socket://127.0.0.1:{port}" in (report / "index.html").read_text()


def test_run_all_in_shards_covers_the_catalog_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    durations = tmp_path / "durations.json"
    durations.write_text('{"host::run_30min": 60, "host::fatigue_run": 20}')
    picked = []
    for k in (1, 2, 3):
        # a bad --retries stops the command after the shard is chosen and printed, before anything runs
        code, _, err = run_cli(capsys, "run", "--all", "--shard", f"{k}/3", "--durations", str(durations),
                               "--retries", "-1")
        assert code == 2 and "--retries -1" in err
        picked += err.split("scenarios: ", 1)[1].splitlines()[0].split()
    assert sorted(picked) == sorted(s.name for s in list_scenarios())
    code, _, err = run_cli(capsys, "run", "sprint", "--all")
    assert code == 2 and "not both" in err


@pytest.mark.target("host")
def test_replay_says_which_samples_the_sensor_could_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Samples beyond the LSM6DSO's full scales reach the firmware clipped: the replay says so, with counts and peaks."""
    csv = tmp_path / "loud.csv"
    rows = ["t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps"]
    for i in range(2080):
        loud = 1000 <= i < 1010
        rows.append(f"{i / 416:.6f},{40.0 if loud else 0.0},0,1,0,{-3000.0 if loud and i % 2 else 0.0},0")
    csv.write_text("\n".join(rows) + "\n")
    code, _, err = run_cli(capsys, "replay", str(csv), "--target", "host", "--json", str(tmp_path / "r.json"),
                           "--runs-dir", str(tmp_path / "runs"))
    assert code == 0, err
    assert "10 sample(s) beyond +-16 g (peak 40 g)" in err
    assert "5 sample(s) beyond +-2000 dps (peak 3000 dps)" in err
    quiet = tmp_path / "quiet.csv"
    quiet.write_text("\n".join(r.replace("40.0", "15.0").replace("-3000.0", "-1999.0") for r in rows) + "\n")
    code, _, err = run_cli(capsys, "replay", str(quiet), "--target", "host", "--json", str(tmp_path / "q.json"),
                           "--runs-dir", str(tmp_path / "runs"))
    assert code == 0, err
    assert "beyond" not in err


@pytest.mark.target("host")
@pytest.mark.parametrize("odr_hz, noted", [(26.0, True), (52.0, True), (100.0, False), (104.0, False)])
def test_replay_says_when_the_rate_is_under_the_analyzers(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          odr_hz: float, noted: bool) -> None:
    """A 26 Hz walk lost a quarter of its strides without a word: a rate under 100 Hz is named."""
    csv = tmp_path / "slow.csv"
    rows = ["t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps"] + [f"{i / odr_hz:.6f},0,0,1,0,0,0" for i in range(int(5 * odr_hz))]
    csv.write_text("\n".join(rows) + "\n")
    code, _, err = run_cli(capsys, "replay", str(csv), "--target", "host", "--json", str(tmp_path / "r.json"),
                           "--runs-dir", str(tmp_path / "runs"))
    assert code == 0, err
    assert ("under the 100 Hz the analyzer is specified for" in err) == noted, err


def test_every_subcommand_help_says_what_it_does() -> None:
    """`rig run --help` showed only its usage and options: each subcommand's help now opens with the
    summary `rig --help` lists for it."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    summaries = {c.dest: str(c.help) for c in sub._choices_actions}
    assert len(summaries) >= 9 and set(summaries) == set(sub.choices)
    for name, parser in sub.choices.items():
        assert summaries[name][1:] in (parser.description or ""), name
        assert summaries[name][1:] in " ".join(parser.format_help().split()), name
