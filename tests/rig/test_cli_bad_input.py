"""The rig command on bad input and on signals: exit 2 with a message naming the input, the
problem and what to do (never a traceback, a hang or a silently wrong output), and SIGTERM or
SIGHUP stop the target and write target.txt as Ctrl-C does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.rig.cli_run import refused as _refused, rig

HEADER = "t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps"


def _csv(path: Path, times: list[float]) -> Path:
    path.write_text(HEADER + "\n" + "".join(f"{t!r},0,0,1,0,0,0\n" for t in times))
    return path


@pytest.mark.parametrize("times, words", [
    ([0.0], ("one.csv, line 2", "only one sample")),
    ([0.0, 1e-7], ("one.csv, line 3", "sample rate")),
    ([0.0, 10.0, 20.0], ("one.csv, line 3", "0.1 Hz")),
    ([k / 416 for k in range(50)] + [1e7], ("one.csv, line 52", "gap")),
    # 104 Hz, then 416 Hz from 2 s on: read at 104 Hz, the last part's times were compressed fourfold
    ([k / 104 for k in range(208)] + [2.0 + (k + 1) / 416 for k in range(100)],
     ("one.csv, line 211", "2.404 ms apart (416 Hz)", "rate is 103.9 Hz", "the sample rate changed", "one rate a file")),
])
def test_replay_of_a_recording_the_firmware_cannot_take(tmp_path: Path, times: list[float], words: tuple[str, ...]) -> None:
    _refused(rig("replay", str(_csv(tmp_path / "one.csv", times)), "--runs-dir", "runs", cwd=tmp_path), *words)
    assert not (tmp_path / "runs").exists(), "refused before any target started"


def test_replay_of_dev_zero_and_a_ten_megabyte_line(tmp_path: Path) -> None:
    _refused(rig("replay", "/dev/zero", cwd=tmp_path), "/dev/zero", "character device")
    big = tmp_path / "big.csv"
    big.write_bytes(b"1" * (10 << 20))
    _refused(rig("replay", str(big), cwd=tmp_path), "big.csv, line 1", "longer than")


def test_replay_of_a_fifo_nobody_writes(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f.csv")
    _refused(rig("replay", "f.csv", cwd=tmp_path, timeout_s=60), "f.csv", "pipe delivered nothing")


def test_replay_json_to_a_full_disk_names_the_path(tmp_path: Path) -> None:
    csv = _csv(tmp_path / "still.csv", [k / 416 for k in range(832)])
    _refused(rig("replay", str(csv), "--json", "/dev/full", "--runs-dir", "runs", cwd=tmp_path),
             "--json /dev/full", "No space left", "result.json")


def test_sidecar_full_scale_that_is_no_setting(tmp_path: Path) -> None:
    csv = _csv(tmp_path / "fs.csv", [k / 416 for k in range(832)])
    (tmp_path / "fs.truth.json").write_text('{"strides": [], "meta": {"accel_fs_g": 2.5}}')
    _refused(rig("replay", str(csv), cwd=tmp_path), "fs.truth.json", "accel_fs_g", "2.5", "2, 4, 8, 16")


@pytest.mark.parametrize("sidecar, words", [
    ("dir", "its truth goes beside it as w.truth.json, which is a directory"),
    ("loop", "w.truth.json: a symbolic link that leads back to itself"),
    ("dangling", "w.truth.json: a symbolic link to"),
])
def test_synth_refuses_a_truth_sidecar_it_cannot_write_before_the_work(tmp_path: Path, sidecar: str,
                                                                      words: str) -> None:
    """rig synth --csv w.csv where w.truth.json was a directory (or a link leading nowhere) synthesized the
    scenario, then said 'cannot write the recording (Is a directory)', naming the recording, not its sidecar."""
    side = tmp_path / "w.truth.json"
    if sidecar == "dir":
        side.mkdir()
    else:
        side.symlink_to("w.truth.json" if sidecar == "loop" else tmp_path / "gone" / "x.json")
    _refused(rig("synth", "walk", "--csv", "w.csv", cwd=tmp_path), "--csv w.csv", words)
    assert not (tmp_path / "w.csv").exists()


def test_plot_reads_a_result_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    """A replay JSON saved again by an editor that writes a byte-order mark was refused ('Unexpected UTF-8 BOM
    (decode using utf-8-sig)'), though truth sidecars so saved are read."""
    (tmp_path / "r.json").write_bytes(b"\xef\xbb\xbf" + b'{"strides": [{"ic_s": 1.0, "tc_s": 1.2}]}')
    proc = rig("plot", "standing", "--png", "p.png", "--detected", "r.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_plot_prints_the_path_it_wrote(tmp_path: Path) -> None:
    proc = rig("plot", "standing", "--png", "out/p", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    printed = Path(proc.stdout.strip())
    assert (tmp_path / printed).is_file() and (tmp_path / printed).read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args, words", [
    (("--detected", "list.json"), ("list.json", "'strides' list")),
    (("--detected", "odd.json"), ("odd.json", "strides[1]")),
    (("--detected", "deep.json"), ("deep.json", "not a replay JSON")),
    (("--detected", "long.json"), ("long.json", "not a replay JSON", "a number of 5001 digits")),
    (("--detected", "huge.json"), ("huge.json: strides[0].tc_s is '1e400'; each stride",)),
    # a whole number no float holds: math.isfinite() ended in a traceback (OverflowError)
    (("--detected", "whole.json"), ("whole.json: strides[0].ic_s is '1000", "finite numbers")),
    # another recording's result: drawn as a plot with no detected event, as if the firmware had found none
    (("--detected", "other.json"), ("other.json: its 2 detected contact(s) lie at 5000..5001 s, all outside standing",
                                    "another recording")),
    (("--from", "5", "--to", "1"), ("--from 5", "--to 1")),
    (("--from", "nan"), ("--from nan",)),
    (("--from", "1000", "--to", "2000"), ("--from 1000", "runs from")),
    # an end left out is the recording's own, not an option the user never gave
    (("--to", "-1e3"), ("the recording's start", "--to -1000 s")),
    (("--from", "1e6"), ("--from 1e+06 s", "the recording's end")),
    (("--to", "-1e3", "--from", "-2e3"), ("--from -2000 s --to -1000 s", "runs from")),
    (("--png", "/dev/full"), ("--png /dev/full", "No space left")),
    # a range between two samples (or about one) drew empty axes, exit 0
    (("--from", "1", "--to", "1.0001"), ("--from 1 s --to 1.0001 s: holds 1 sample(s) of the recording (2.4 ms apart)",
                                         "give a range at least 4.81 ms long")),
    (("--to", "0.001"), ("--to 0.001 s: holds 1 sample(s)",)),
])
def test_plot_options(tmp_path: Path, args: tuple[str, ...], words: tuple[str, ...]) -> None:
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "odd.json").write_text('{"strides": [{"ic_s": 1.0}, {"ic_s": "x"}]}')
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "huge.json").write_text('{"strides": [{"ic_s": 1.0, "tc_s": 1e400}]}')
    (tmp_path / "long.json").write_text('{"strides": [{"ic_s": 1' + "0" * 5000 + "}]}")
    (tmp_path / "whole.json").write_text('{"strides": [{"ic_s": 1' + "0" * 400 + "}]}")
    (tmp_path / "other.json").write_text('{"strides": [{"ic_s": 5000.0, "tc_s": null}, {"ic_s": 5001.0}]}')
    full = ("standing", "--png", "p.png", *args) if "--png" not in args else ("standing", *args)
    _refused(rig("plot", *full, cwd=tmp_path), *words)


@pytest.mark.parametrize("args, words", [
    (("synth", "walk", "--csv", "x.csv", "--seed", "-1"), ("--seed", "negative")),
    (("synth", "walk", "--csv", "/dev/full"), ("--csv /dev/full", "No space left")),
    (("run", "walk", "--seed", "x"), ("--seed", "not a whole number")),
    (("replay", "x.csv", "--runs-dir", "/dev/null/runs"), ("--runs-dir /dev/null/runs",)),
    (("run", "walk", "--durations", "d.json"), ("--durations d.json", "--shard")),
    (("record", "--port", "socket://localhost:99999", "--out", "r.csv"), ("socket://localhost:99999", "1..65535")),
    (("record", "--port", "rfc2217://localhost", "--out", "r.csv"), ("rfc2217://localhost", "HOST:PORT")),
    # pyserial waited 1e9 s for a silent server's RFC 2217 negotiation: no bound of the rig applied
    (("replay", "x.csv", "--target", "board", "--port", "rfc2217://127.0.0.1:9?timeout=1e9"),
     ("timeout='1e9'", "<= 30 s")),
    (("replay", "x.csv", "--target", "board", "--port", "rfc2217://127.0.0.1:9?logging=info&timeout=nan"),
     ("timeout='nan'",)),
    # a 5000-digit seed was "not a whole number", quoted whole in a 5 kB message
    (("synth", "walk", "--csv", "x.csv", "--seed", "1" + "0" * 5000), ("a seed of 5001 digits", "at most 100")),
    # a recording given twice weighed twice in the pooled figures
    (("bench", "x.csv", "./x.csv"), ("x.csv is given twice",)),
    (("bench", "standing", "walk", "standing"), ("standing is given twice",)),
    # a directory, or a recording named other than *.csv, was an 'unknown scenario'
    (("bench", "recs"), ("rig bench: recs is a directory", "recs/*.csv")),
    (("bench", "x.CSV"), ("x.CSV is a file whose name does not end in .csv", "rename")),
    # the scenario's clock runs 1.5 % fast: synth wrote a 10,150 Hz recording that replay then refused
    (("synth", "clock_fast", "--csv", "fast.csv", "--odr-hz", "10000"), ("10150 Hz", "--odr-hz within", "9852.22")),
])
def test_options(tmp_path: Path, args: tuple[str, ...], words: tuple[str, ...]) -> None:
    _csv(tmp_path / "x.csv", [k / 416 for k in range(832)])
    _csv(tmp_path / "x.CSV", [k / 416 for k in range(832)])
    (tmp_path / "recs").mkdir()
    _refused(rig(*args, cwd=tmp_path), *words)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


@pytest.mark.target("host")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_signal_stops_the_target_and_writes_target_txt(tmp_path: Path, sig: signal.Signals) -> None:
    # the 30-minute run: the host replays 10 minutes of gait in under a second, faster than the signal comes
    proc = subprocess.Popen([sys.executable, "-m", "rig", "run", "run_30min", "--runs-dir", "runs"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        firmware: list[int] = []
        end = time.monotonic() + 300  # a bound for a loaded machine: synthesis takes a while
        while time.monotonic() < end and proc.poll() is None:
            time.sleep(0.1)
            rx = list((tmp_path / "runs").glob("*/rx.bin"))
            if rx and rx[0].stat().st_size > 1000:  # the replay is under way
                firmware = [c for c in _children(proc.pid) if "stridelab-fw" in _cmdline(c)]
                break
        assert firmware, f"the replay never started: {proc.poll()}"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + sig or (sig == signal.SIGINT and proc.returncode == 130), (proc.returncode, err)
    assert "Traceback" not in err, err
    run_dirs = list((tmp_path / "runs").iterdir())
    assert len(run_dirs) == 1
    assert "terminated" in (run_dirs[0] / "target.txt").read_text() or "exited" in (run_dirs[0] / "target.txt").read_text()
    assert not Path(f"/proc/{firmware[0]}").exists() or "zombie" in Path(f"/proc/{firmware[0]}/status").read_text()


@pytest.mark.parametrize("window", ["[-1e308, 1e308]", "[0, 1e9]"])
def test_bench_scores_a_label_window_past_the_recording(tmp_path: Path, window: str) -> None:
    """rig bench of a recording labelled over [-1e308, 1e308] ('everything') said 'rig bench: error: cannot convert
    float NaN to integer', naming nothing; over [0, 1e9] it tiled 10^8 cadence windows and never ended."""
    csv = _csv(tmp_path / "lab.csv", [k / 416 for k in range(831)])
    (tmp_path / "lab.truth.json").write_text('{"strides": [{"ic_s": 0.5}, {"ic_s": 1.5}], "label_windows_s": ['
                                             + window + "]}")
    proc = rig("bench", str(csv), cwd=tmp_path, timeout_s=120)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "error" not in proc.stderr and "lab" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]


@pytest.mark.parametrize("windows, words", [
    ("", ("2 contact(s) are labelled but no label window", "[[0, 1.99519]]")),
    (', "label_windows_s": []', ("2 contact(s) are labelled but no label window",)),
    (', "label_windows_s": [[1.7, 1.9]]', ("but none lies in its label windows (1.7..1.9 s)",)),
])
def test_sidecar_whose_contacts_no_window_holds(tmp_path: Path, windows: str, words: tuple[str, ...]) -> None:
    """Scored, such a truth judged nothing: no true stride, every detection ignored, precision 100 %."""
    csv = _csv(tmp_path / "lab.csv", [k / 416 for k in range(831)])
    (tmp_path / "lab.truth.json").write_text('{"strides": [{"ic_s": 0.5}, {"ic_s": 1.5}]' + windows + "}")
    _refused(rig("bench", str(csv), cwd=tmp_path), "lab.truth.json", *words, "label_windows_s")


@pytest.mark.parametrize("argv", [["synth", "standing", "--csv", "x.json"], ["synth", "standing", "--csv", "walk"],
                                  ["record", "--target", "host", "--duration", "1", "--out", "x.json",
                                   "--runs-dir", "runs"]])
def test_a_recording_is_written_only_under_a_csv_name(argv: list[str], tmp_path: Path) -> None:
    """rig synth standing --csv x.json wrote CSV text named x.json and its truth as x.truth.json, exit 0 (rig
    bench then took x.json for a scenario's name); rig record --out x.json likewise. Refused before any work."""
    out = Path(argv[argv.index("--csv" if "--csv" in argv else "--out") + 1])
    _refused(rig(*argv, cwd=tmp_path), f"{out}: a recording is named *.csv", f"e.g. {out.with_suffix('.csv')}")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
