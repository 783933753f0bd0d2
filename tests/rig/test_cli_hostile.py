"""The rig's newer commands and options used as a careless or hostile user would: devices, FIFOs,
directories and unwritable paths as files, garbage numbers, names with path separators. Each is
refused with exit 2 and a message naming the input, the problem and what to do; nothing hangs,
nothing outside the named output is touched."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rig.errors import RigError
from rig.shard import load_durations
from rig.targets.board import BoardTarget
from tests.rig.cli_run import refused as _refused, rig


@pytest.mark.parametrize("kind", ["dev_zero", "fifo", "directory", "infinity"])
def test_durations_file_that_is_no_file_is_refused_in_bounded_time(tmp_path: Path, kind: str) -> None:
    # /dev/zero was read until the kernel killed the process; a FIFO with no writer hung for ever
    path = {"dev_zero": Path("/dev/zero"), "fifo": tmp_path / "d.json", "directory": tmp_path,
            "infinity": tmp_path / "inf.json"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    if kind == "infinity":
        path.write_text('{"host::walk": Infinity}')
    with pytest.raises(RigError, match=f"--durations {path}: .*(character device|pipe delivered nothing|"
                                       "directory|finite)"):
        load_durations(path)


def test_rig_run_shard_durations_from_dev_zero(tmp_path: Path) -> None:
    _refused(rig("run", "--all", "--shard", "1/3", "--durations", "/dev/zero", cwd=tmp_path, timeout_s=60),
             "--durations /dev/zero", "character device")


@pytest.mark.parametrize("shard", ["1/99999999999999999999", "1/" + "9" * 5000])
def test_a_shard_count_past_the_maximum_is_refused(tmp_path: Path, shard: str) -> None:
    # rig run ran shard 1 of 10^20 (every scenario named), and 5,000 digits were refused in Python's words
    # ('Exceeds the limit (4300 digits) for integer string conversion'); pytest ended in an INTERNALERROR
    _refused(rig("run", "walk", "--shard", shard, "--runs-dir", "runs", cwd=tmp_path, timeout_s=60),
             "--shard '1/9999", "at most 256 shards")
    assert not (tmp_path / "runs").exists()
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py", "--shard", shard],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "at most 256 shards" in proc.stderr and "INTERNALERROR" not in proc.stdout + proc.stderr, proc.stderr


def test_pytest_shard_durations_from_dev_zero(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py", "--shard", "1/2",
                           "--shard-durations", "/dev/zero"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "--shard-durations /dev/zero" in proc.stderr and "character device" in proc.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a device node (and only root could replace one)")
def test_synth_resd_onto_a_device_writes_through_it_never_replaces_it(tmp_path: Path) -> None:
    # as root, the atomic rename of the RESD writer swapped /dev/full for a regular file
    full = tmp_path / "full"
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # the kernel's full device, as /dev/full
    _refused(rig("synth", "standing", "--resd", str(full), cwd=tmp_path), f"--resd {full}", "No space left")
    assert full.is_char_device(), "the device named as the output is still that device"
    assert not (tmp_path / "full.tmp").exists()


@pytest.mark.parametrize("out, words", [
    (".", ("--resd", "'.' names a directory")),
])
def test_synth_resd_that_cannot_be_written(tmp_path: Path, out: str, words: tuple[str, ...]) -> None:
    _refused(rig("synth", "standing", "--resd", out, cwd=tmp_path), *words)


@pytest.mark.parametrize("out, words", [
    ("x.svg", ("--png x.svg: names SVG data, and --png writes a PNG image; give a name ending in .png (e.g. x.png)",)),
    ("x.PDF", ("names PDF data",)),
    ("x.csv", ("names CSV data", "x.png")),
])
def test_plot_png_named_as_another_format_is_refused(tmp_path: Path, out: str, words: tuple[str, ...],
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # a PNG image was written under the name, which no SVG or PDF viewer opens, exit 0
    from rig.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["plot", "standing", "--png", out]) == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, err
    assert not (tmp_path / out).exists()


@pytest.mark.parametrize("argv, words", [
    (["replay", "x.csv", "--json", "y.csv"],
     ("--json y.csv: names CSV data, and --json writes the replay's result as JSON; give a name ending in .json "
      "(e.g. y.json)",)),
    (["bench", "standing", "--json", "y.csv"], ("--json y.csv: names CSV data", "bench's figures", "(e.g. y.json)")),
    (["bench", "standing", "--json", "y.png"], ("--json y.png: names PNG data",)),
    (["replay", "x.csv", "--json", "y.truth.json"], ("--json y.truth.json: names a truth sidecar (the truth of y.csv",
                                                      "(e.g. y.json)")),
])
def test_json_named_as_another_kind_of_file_is_refused(tmp_path: Path, argv: list[str], words: tuple[str, ...],
                                                       capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """rig replay --json y.csv (rig bench --json y.csv) wrote JSON under a recording's name, over the
    user's recording when there was one, exit 0; refused before any work, the file left as it was."""
    from rig.cli import main
    from scenarios.catalog import synthesize
    from scenarios.recording_csv import write_recording

    monkeypatch.chdir(tmp_path)
    write_recording(synthesize("standing"), tmp_path / "x.csv")
    (tmp_path / argv[3]).write_text("kept\n")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert main([*argv, "--runs-dir", "runs"]) == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing run, no runs/ made


@pytest.mark.parametrize("out, words", [
    ("walk.csv", ("--resd walk.csv: names a recording CSV", "(e.g. walk.resd), or --csv to write the recording")),
    ("walk.truth.json", ("--resd walk.truth.json: names a truth sidecar", "e.g. walk.resd")),
])
def test_synth_resd_named_as_a_recording_is_refused(tmp_path: Path, out: str, words: tuple[str, ...]) -> None:
    # the RESD's binary data replaced the recording there, which every command then refused
    (tmp_path / out).write_text("t_s,ax_g\n")
    _refused(rig("synth", "standing", "--resd", out, cwd=tmp_path), *words)
    assert (tmp_path / out).read_text() == "t_s,ax_g\n"


def test_run_retries_do_not_retry_a_target_that_is_not_there(tmp_path: Path) -> None:
    # each attempt of --retries made a run directory and failed the same way, 10^20 times if asked
    env = {k: v for k, v in os.environ.items() if k != "STRIDELAB_PORT"}
    proc = subprocess.run([sys.executable, "-m", "rig", "run", "standing", "--target", "board", "--retries",
                           "100", "--runs-dir", "runs"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env=env)
    _refused(proc, "board", "not available", "--port")
    assert not (tmp_path / "runs").exists() or len(list((tmp_path / "runs").iterdir())) <= 1


@pytest.mark.parametrize("args, words", [
    (("--seed", "-3", "--cases", "1"), ("--seed", "-3 is negative")),
    (("--case", "speed_mps=3", "--no-shrink", "--json", "."), ("--json", "'.' names a directory")),
    (("--case", "speed_mps=3", "--no-shrink", "--json", "/dev/full"), ("--json /dev/full", "No space left")),
])
def test_explore_options(tmp_path: Path, args: tuple[str, ...], words: tuple[str, ...]) -> None:
    _refused(rig("explore", *args, cwd=tmp_path, timeout_s=300), *words)


@pytest.mark.parametrize("label", ["../../out", "a/b", ""])
def test_pytest_report_as_is_a_name_not_a_path(tmp_path: Path, label: str) -> None:
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py", "--report", "rep/r",
                           "--report-as", label], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    if label:
        assert proc.returncode == 4, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
        assert f"--report-as {label!r}" in proc.stderr and "not a target name" in proc.stderr
    assert not list(tmp_path.glob("*.xml")) and not (tmp_path / "out.xml").exists()


@pytest.mark.parametrize("args, words", [
    (("synth", "standing", "--csv", "d/"), ("--csv", "'d/' names a directory")),
    (("synth", "standing", "--csv", "/dev/null"), ("--csv /dev/null: is a character device", "truth.json")),
    (("synth", "standing", "--csv", "sub"), ("--csv", "sub is a directory")),
    (("synth", "standing", "--csv", ""), ("--csv", "empty path")),
    (("synth", "standing", "--resd", "d/"), ("--resd", "'d/' names a directory")),
    (("replay", "x.csv", "--json", "d/"), ("--json", "'d/' names a directory")),
    (("plot", "standing", "--png", "sub/.."), ("--png", "names a directory")),
    (("bench", "standing", "--json", "sub"), ("--json", "sub is a directory")),
    (("record", "--target", "host", "--out", "d/"), ("--out", "'d/' names a directory")),
    # an empty directory option was the current one: the report's files landed among the user's
    (("run", "standing", "--report", ""), ("--report", "empty path")),
    (("replay", "x.csv", "--runs-dir", " "), ("--runs-dir", "empty path")),
    (("bench", "standing", "--runs-dir", ""), ("--runs-dir", "empty path")),
])
def test_output_files_that_name_a_directory_or_a_device(tmp_path: Path, args: tuple[str, ...],
                                                        words: tuple[str, ...]) -> None:
    # `--csv d/` wrote a file named d; `--csv /dev/null` wrote /dev/null.truth.json beside the device
    (tmp_path / "sub").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    _refused(rig(*args, cwd=tmp_path, timeout_s=60), *words)
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "something was written"


@pytest.mark.parametrize("args", [("bench", "standing", "--json", "notes.txt/out.json"),
                                  ("replay", "x.csv", "--json", "notes.txt/sub/out.json"),
                                  ("synth", "standing", "--csv", "notes.txt/rec.csv")])
def test_output_under_a_regular_file_is_refused_before_any_work(tmp_path: Path, args: tuple[str, ...]) -> None:
    # bench ran its whole catalog and only then found it could not write its JSON
    (tmp_path / "notes.txt").write_text("notes\n")
    _refused(rig(*args, cwd=tmp_path, timeout_s=60), args[-2], "notes.txt is a regular file, not a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_explore_json_into_a_new_directory_creates_it(tmp_path: Path) -> None:
    proc = rig("explore", "--case", "speed_mps=4", "--no-shrink", "--json", "out/sub/explore.json", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    outcomes = json.loads((tmp_path / "out" / "sub" / "explore.json").read_text())
    assert len(outcomes) == 1 and outcomes[0]["case"] == "speed_mps=4.0"


def test_synth_csv_onto_a_fifo_writes_no_sidecar_beside_it(tmp_path: Path) -> None:
    fifo = tmp_path / "rec.csv"
    os.mkfifo(fifo)
    _refused(rig("synth", "standing", "--csv", str(fifo), cwd=tmp_path, timeout_s=60), f"{fifo}: is a FIFO")
    assert not (tmp_path / "rec.truth.json").exists()


def test_two_runs_into_one_report_keep_a_row_each(tmp_path: Path) -> None:
    # the second run (another seed) silently replaced the first one's row
    first = rig("run", "standing", "--report", "rep", "--runs-dir", "runs", cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    second = rig("run", "standing", "--seed", "3", "--report", "rep", "--runs-dir", "runs", cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "rep/index.html (2 runs" in second.stderr, second.stderr[-2000:]
    assert sorted(p.name for p in (tmp_path / "rep" / "entries").iterdir()) == [
        "host--standing--seed3.json", "host--standing.json"]
    junit = (tmp_path / "rep" / "junit.xml").read_text()
    assert junit.count('name="standing"') == 2 and '"seed" value="3"' in junit, junit
    # the same row again from another run replaces it, and says so
    third = rig("run", "standing", "--report", "rep", "--runs-dir", "runs", cwd=tmp_path)
    assert third.returncode == 0 and "rep/index.html (2 runs" in third.stderr, third.stderr[-2000:]
    row = json.loads((tmp_path / "rep" / "entries" / "host--standing.json").read_text())
    assert any("replaces the row of an earlier run" in n for n in row["notes"]), row["notes"]


def test_board_without_a_port_starts_nothing_and_says_nothing_was_left_running(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("STRIDELAB_PORT", "LG_PLACE")}
    proc = subprocess.run([sys.executable, "-m", "rig", "run", "walk", "--target", "board", "--runs-dir", "runs"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    _refused(proc, "board", "not available", "--port")
    assert "left running" not in proc.stderr and "None" not in proc.stderr, proc.stderr
    assert not (tmp_path / "runs").exists(), "a run directory for a run that never started"
    assert "none was started" in BoardTarget(port=None, place=None).stop()


@pytest.mark.parametrize("option", ["--port", "--place"])
def test_an_empty_board_port_or_place_is_refused_not_replaced(tmp_path: Path, option: str) -> None:
    # --port "$UNSET": the rig took $STRIDELAB_PORT's board instead, and pytest skipped every test (a green run)
    env = {**os.environ, "STRIDELAB_PORT": "/dev/null", "LG_PLACE": "elsewhere"}
    proc = subprocess.run([sys.executable, "-m", "rig", "run", "walk", "--target", "board", option, "",
                           "--runs-dir", "runs"], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    _refused(proc, f"{option} '' is empty")
    assert not (tmp_path / "runs").exists()
    (tmp_path / "test_x.py").write_text("def test_x(dut):\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py", "--target", "board",
                           option, " "], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 4, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert f"{option} ' ' is empty" in proc.stderr, proc.stderr


@pytest.mark.parametrize("given", ["--port", "$STRIDELAB_PORT"])
def test_pytest_board_port_that_is_no_serial_device_is_a_usage_error(tmp_path: Path, given: str) -> None:
    """pytest --target board --port /dev/null (or a directory, or $STRIDELAB_PORT naming one) passed configuration
    and failed every test that ran the board, each alike, each with a run directory of a run that never began."""
    (tmp_path / "test_x.py").write_text("def test_x(dut):\n    pass\n\ndef test_y(dut):\n    pass\n")
    env = {k: v for k, v in os.environ.items() if k not in ("STRIDELAB_PORT", "LG_PLACE")}
    args = ["--port", str(tmp_path)] if given == "--port" else []
    if given != "--port":
        env["STRIDELAB_PORT"] = str(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py", "--target", "board",
                           "--runs-dir", "runs", *args], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=env)
    assert proc.returncode == 4, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    named = f"--port {tmp_path}" if given == "--port" else f"$STRIDELAB_PORT={tmp_path}"
    assert f"{named}: cannot open the link '{tmp_path}': it is a directory, not a serial port" in proc.stderr, proc.stderr
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("option", ["--report", "--runs-dir", "--shard", "--shard-durations", "--report-as",
                                    "--board-profile"])
def test_pytest_options_given_empty_are_refused_not_dropped(tmp_path: Path, option: str) -> None:
    # --report "$UNSET" wrote no report and --shard "" ran every test, both with exit 0
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py", option, ""],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert f"{option} '' is empty" in proc.stderr, proc.stderr


def test_pytest_report_onto_a_device_says_it_is_no_directory(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py", "--report",
                           "/dev/full"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "--report /dev/full: is a character device, not a directory" in proc.stderr, proc.stderr


def test_output_closed_by_its_reader_ends_quietly(tmp_path: Path) -> None:
    # `rig run ... | head -c 10` ended with "error: [Errno 32] Broken pipe" (exit 2) and, at exit, the
    # interpreter's own "Exception ignored ... BrokenPipeError"
    read_end, write_end = os.pipe()
    os.close(read_end)
    proc = subprocess.run([sys.executable, "-m", "rig", "run", "standing", "--runs-dir", "runs"], cwd=tmp_path,
                          stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300)
    os.close(write_end)
    assert proc.returncode == 128 + 13, (proc.returncode, proc.stderr[-2000:])
    assert "output was closed by the reader" in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    run_dir, = (tmp_path / "runs").iterdir()
    assert (run_dir / "target.txt").is_file() and (run_dir / "rx.bin").stat().st_size > 0
    assert f"stopped, the target too; captures so far in {Path('runs') / run_dir.name}" in proc.stderr, proc.stderr


def test_output_closed_by_its_reader_with_no_target_says_none_ran(tmp_path: Path) -> None:
    # rig explore --list | head ended 'its output was closed by the reader (a pipe); stopped, the target too',
    # of a target that never was
    read_end, write_end = os.pipe()
    os.close(read_end)
    proc = subprocess.run([sys.executable, "-m", "rig", "explore", "--list"], cwd=tmp_path, stdout=write_end,
                          stderr=subprocess.PIPE, text=True, timeout=120)
    os.close(write_end)
    assert proc.returncode == 128 + 13, (proc.returncode, proc.stderr[-2000:])
    assert "output was closed by the reader (a pipe); stopped; no target was running" in proc.stderr, proc.stderr


def test_pytest_runs_dir_onto_a_device_is_a_usage_error(tmp_path: Path) -> None:
    # it passed configuration and failed every test that ran a target, each with the same RigError
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py", "--runs-dir",
                           "/dev/null"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "--runs-dir /dev/null: is a character device, not a directory" in proc.stderr, proc.stderr


@pytest.mark.parametrize("args, words", [
    (("--duration", "nan"), ("--duration nan", "positive number of seconds")),
    (("--duration", "-1"), ("--duration -1.0", "positive number of seconds")),
    (("--odr-hz", "0"), ("--odr-hz 0: the LSM6DSO has no such output rate", "12.5, 26, 52")),
    # 500 recorded a board's 416 Hz samples stamped 2 ms apart; 11 was let in by a message that said 12.5 at least
    (("--odr-hz", "500"), ("--odr-hz 500: the LSM6DSO has no such output rate; give one of its rates: 12.5, 26, "
                           "52, 104, 208, 416, 833, 1666, 3333, 6667 Hz (the nearest: 416)",)),
    (("--odr-hz", "11"), ("--odr-hz 11:", "(the nearest: 12.5)")),
    (("--odr-hz", "nan"), ("--odr-hz nan:", "6667 Hz")),
    # recorded no sample, exit 0, a file rig replay refuses ('no samples after the header')
    (("--duration", "1e-9"), ("--duration 1e-09: 416 Hz gives fewer than two samples in it",
                              "give at least 0.00481 s")),
])
def test_record_settings_are_refused_before_the_firmware_starts(tmp_path: Path, args: tuple[str, ...],
                                                               words: tuple[str, ...]) -> None:
    # refused by name, but only after the firmware was started and a run directory made
    proc = rig("record", "--target", "host", "--out", "r.csv", "--runs-dir", "runs", *args, cwd=tmp_path)
    _refused(proc, *words)
    assert "target:" not in proc.stderr, proc.stderr
    assert not (tmp_path / "runs").exists() and not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("hci, words", [
    ("tcp-server:0.0.0.0:9999", ("would listen on every interface", "tcp-server:127.0.0.1:PORT")),
    ("tcp-server:_:9999", ("would listen on every interface",)),
    ("udp:192.168.1.2:9000,127.0.0.1:9001", ("would listen on '192.168.1.2'", "udp:127.0.0.1:PORT")),
    ("", ("an empty transport", "usb:0")),
    # a transport Bumble does not know, or one without its parameters, was refused only once the firmware ran
    ("bogus", ("'bogus' is no Bumble transport", "usb, vhci")),
    ("usb:", ("the usb transport needs its parameters, e.g. usb:0",)),
    ("tcp-client:127.0.0.1:99999", ("tcp-client takes HOST:PORT with a port in 1..65535",)),
    ("udp:127.0.0.1:9000", ("udp takes the local HOST:PORT, a comma and the remote HOST:PORT",)),
])
def test_ble_controller_that_would_listen_beyond_loopback_is_refused_before_the_firmware_starts(
        tmp_path: Path, hci: str, words: tuple[str, ...]) -> None:
    # tcp-server:0.0.0.0 opened a socket on every interface, after the firmware had started
    _refused(rig("ble", "standing", "--hci", hci, "--runs-dir", "runs", cwd=tmp_path, timeout_s=60), "--hci", *words)
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("command", [["run"], ["synth", "--csv", "x.csv"], ["plot", "--png", "p.png"], ["bench"],
                                     ["ble"]])
def test_a_scenario_name_of_100000_characters_is_quoted_by_its_start(command: list[str], tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown scenario was quoted whole (a 100 kB message), and rig plot, which first asks whether
    the name is a file, said only '[Errno 36] File name too long: ...'."""
    from rig.cli import main

    monkeypatch.chdir(tmp_path)
    runs = ["--runs-dir", "runs"] if command[0] in ("run", "bench", "ble") else []
    assert main([command[0], "w" * 100_000, *command[1:], *runs]) == 2
    err = capsys.readouterr().err
    assert len(err) < 1500, err[:300]
    assert f"unknown scenario '{'w' * 40}'...; available: brisk_walk" in err, err[:500]


def test_ble_wait_for_a_central_with_the_virtual_link_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """rig ble walk --wait-s 5 (the virtual link, whose phone subscribes at once) ran and ignored it."""
    from rig.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["ble", "walk", "--wait-s", "5", "--runs-dir", "runs"]) == 2
    assert "--wait-s 5 is how long a real controller waits for a central" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("wait", ["1e300", "3601"])
def test_ble_wait_for_a_central_past_an_hour_is_refused(tmp_path: Path, wait: str) -> None:
    """rig ble walk --hci usb:0 --wait-s 1e300 was taken: the firmware started and the shoe would have advertised
    for ever, waiting for a central, though every wait of the rig has a bound."""
    proc = rig("ble", "walk", "--hci", "usb:0", "--wait-s", wait, "--runs-dir", "runs", cwd=tmp_path)
    _refused(proc, f"--wait-s {float(wait):g}: at most 3600 s (an hour) for a central to subscribe")
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("argv, words", [
    (["plot", "REC.csv", "--png", "p.png", "--seed", "5"], ("--seed 5 synthesizes a catalog scenario", "REC.csv")),
    (["bench", "REC.csv", "--seed", "5"], ("--seed 5 synthesizes catalog scenarios, and only recordings",)),
])
def test_a_seed_given_with_a_recording_alone_is_refused(argv: list[str], words: tuple[str, ...], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """rig plot REC.csv --seed 5 and rig bench REC.csv --seed 5 ran and ignored the seed: a recording
    is drawn and scored as it was recorded."""
    from rig.cli import main
    from scenarios.catalog import synthesize
    from scenarios.recording_csv import write_recording

    monkeypatch.chdir(tmp_path)
    write_recording(synthesize("standing"), tmp_path / "REC.csv")
    assert main(argv) == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, err
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("command", [["run"], ["synth", "--csv", "x.csv"], ["ble"]])
def test_a_recording_given_for_a_scenario_says_how_to_run_it(command: list[str], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """rig run REC.csv said only "unknown scenario 'REC.csv'; available: ...", no word of the recording."""
    from rig.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "REC.csv").write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n")
    assert main([command[0], "REC.csv", *command[1:]]) == 2
    err = capsys.readouterr().err
    assert f"'REC.csv' is a file, and rig {command[0]} takes a catalog scenario's name" in err, err
    assert "rig replay FILE.csv" in err


@pytest.mark.parametrize("argv, words", [
    # a scenario's name given to replay: 'walk: cannot read the recording (No such file or directory)'
    (["replay", "walk"], ("walk: no such file, and walk is a catalog scenario: rig run walk runs it",)),
    # an empty source was read as the current directory: '.: is a directory, not a recording'
    (["plot", "", "--png", "p.png"], ("rig plot: an empty source; give a recording (FILE.csv) or a scenario's name",)),
    # logger | rig plot - --png p.png was told "unknown scenario '-'", the catalog listed, no word of the pipe
    (["plot", "-", "--png", "p.png"], ("rig plot: '-' (standard input) is no source rig plot reads",
                                       "give its path (FILE.csv)")),
    (["bench", "-"], ("rig bench: '-' (standard input) is no source rig bench reads",)),
    (["run", "-", "--target", "host"], ("rig run: '-' (standard input) is no catalog scenario",
                                        "COMMAND | rig replay - --target T")),
])
def test_a_source_of_the_wrong_kind_says_which_command_takes_it(argv: list[str], words: tuple[str, ...],
                                                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from rig.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, err


def test_retries_past_a_hundred_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """rig run --retries 99999999999999999999 reran a failing scenario, a run directory each time,
    until stopped or the disk was full."""
    from rig.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["run", "standing", "--retries", "9" * 20, "--runs-dir", "runs"]) == 2
    assert "--retries 99999999999999999999: at most 100" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_a_scenario_named_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """rig run standing standing --report R ran it twice: the report showed one run, and a first run
    that failed became a 'passed after 1 failed attempt' no --retries had asked for."""
    from rig.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["run", "standing", "walk", "standing", "--runs-dir", "runs"]) == 2
    assert "rig run: standing is given twice; give each scenario once" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("csv, resd, words", [
    ("same.csv", "same.csv", ("--resd same.csv is the file --csv writes (same.csv)",)),
    ("w.csv", "./w.truth.json", ("is the file its truth sidecar writes (w.truth.json)",)),
])
def test_synth_refuses_a_resd_onto_its_own_recording(csv: str, resd: str, words: tuple[str, ...], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """rig synth walk --csv same.csv --resd same.csv wrote the recording, then the RESD over it, and said
    '-> same.csv, same.csv'; --resd onto the recording's truth sidecar replaced the truth likewise."""
    from rig.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["synth", "walk", "--csv", csv, "--resd", resd]) == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("argv, words", [
    (["plot", "REC.csv", "--png", "REC.csv"], ("--png REC.csv is the recording REC.csv this command reads",
                                                "(e.g. REC.png)")),
    (["replay", "REC.csv", "--json", "./REC.truth.json"], ("--json REC.truth.json is the truth of REC.csv",)),
    (["replay", "REC.csv", "--json", "REC.csv"], ("--json REC.csv is the recording REC.csv",)),
    (["bench", "REC.csv", "--json", "REC.csv"], ("--json REC.csv is the recording REC.csv", "(e.g. REC.bench.json)")),
])
def test_an_output_onto_the_recording_read_is_refused(argv: list[str], words: tuple[str, ...], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """rig plot REC.csv --png REC.csv left a PNG named REC.csv; rig replay/bench --json onto the
    recording or its truth sidecar replaced them with the result, exit 0: the input was lost."""
    from rig.cli import main
    from scenarios.catalog import synthesize
    from scenarios.recording_csv import write_recording

    monkeypatch.chdir(tmp_path)
    write_recording(synthesize("standing"), tmp_path / "REC.csv")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert main([*argv, "--runs-dir", "runs"] if argv[0] in ("replay", "bench") else argv) == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_record_refuses_an_out_with_another_recording_s_truth_beside_it(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """rig record --out REC.csv over a synthesized REC.csv kept REC.truth.json beside the new recording:
    it was then read, and scored, with the labels of the recording it replaced."""
    from rig.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "REC.truth.json").write_text('{"strides": []}')
    assert main(["record", "--target", "host", "--out", "REC.csv", "--duration", "1", "--runs-dir", "runs"]) == 2
    assert "--out REC.csv: REC.truth.json lies beside it, the truth of what was there before" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists() and not (tmp_path / "REC.csv").exists()


@pytest.mark.parametrize("argv, words", [
    # argparse's Path('') is '.': '.: is a directory, not a recording'
    (["replay", ""], ("argument FILE.csv: an empty path (''); give the recording to replay",)),
    (["plot", "walk", "--png", "p.png", "--detected", ""], ("argument --detected: an empty path (''); give the replay JSON",)),
    (["run", "--all", "--shard", "1/2", "--durations", " "], ("argument --durations: an empty path (' '); give the durations",)),
    # Path('') exists, so the empty name was 'a file, and rig run takes a catalog scenario's name'
    (["run", ""], ("rig run: an empty scenario name (''); give a catalog scenario's name",)),
    (["synth", "", "--csv", "x.csv"], ("rig synth: an empty scenario name (''); give",)),
    (["ble", " "], ("rig ble: an empty scenario name (' '); give",)),
    # 'unknown scenario ''; available: ...'
    (["bench", "walk", ""], ("rig bench: an empty argument; give catalog scenarios' names",)),
])
def test_an_empty_argument_is_named_as_such(argv: list[str], words: tuple[str, ...], tmp_path: Path) -> None:
    proc = rig(*argv, cwd=tmp_path)
    _refused(proc, *words)
    assert "is a directory" not in proc.stderr and "is a file" not in proc.stderr
    assert sorted(tmp_path.iterdir()) == []


@pytest.mark.parametrize("env", ["STRIDELAB_PORT", "LG_PLACE"])
def test_a_blank_board_variable_is_named(tmp_path: Path, env: str) -> None:
    # STRIDELAB_PORT=' ' was opened as the port ' ': "cannot open the link ' ': no such serial port", after a
    # run directory was made, naming neither the variable nor that it was blank
    environ = {k: v for k, v in os.environ.items() if k not in ("STRIDELAB_PORT", "LG_PLACE")}
    environ[env] = " "
    proc = subprocess.run([sys.executable, "-m", "rig", "run", "walk", "--target", "board", "--runs-dir", "runs"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, env=environ)
    _refused(proc, f"${env}=' ' is blank; set it to the board's", "or unset it")
    assert not (tmp_path / "runs").exists()
    (tmp_path / "test_x.py").write_text("def test_x(dut):\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py", "--target", "board"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, env=environ)
    assert proc.returncode == 4, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert f"${env}=' ' is blank" in proc.stderr, proc.stderr
    # rig list said of LG_PLACE=' ' 'labgrid is not installed' (with labgrid: 'available')
    proc = subprocess.run([sys.executable, "-m", "rig", "list"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, env=environ)
    assert f"unavailable: ${env}=' ' is blank; set it to the board's" in proc.stdout, proc.stdout


@pytest.mark.parametrize("argv", [["replay", "w.csv", "--json", "OUT", "--runs-dir", "runs"],
                                  ["explore", "--cases", "1", "--json", "OUT"],
                                  ["bench", "walk", "--json", "OUT", "--runs-dir", "runs"], ["plot", "walk", "--png", "OUT"],
                                  ["synth", "walk", "--csv", "OUT"],
                                  ["record", "--target", "host", "--out", "OUT", "--runs-dir", "runs"]])
@pytest.mark.parametrize("link", ["loop", "dangling"])
def test_an_output_through_a_link_that_cannot_be_written_is_refused_first(argv: list[str], link: str,
                                                                         tmp_path: Path) -> None:
    """--json OUT where OUT is a symbolic link to itself, or to a file in a missing directory, failed
    when the output was written: after the replay, the bench's catalog and cost, the explored gaits."""
    out = tmp_path / "out.json"
    out.symlink_to(out.name if link == "loop" else tmp_path / "missing" / "x.json")
    proc = rig(*[str(out) if a == "OUT" else a for a in argv], cwd=tmp_path)
    _refused(proc, "a symbolic link", "leads back to itself" if link == "loop" else "whose directory is not there")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
    assert out.is_symlink()


def _file_size_limit() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))  # writes past 1 kB fail as a full disk does


@pytest.mark.parametrize("argv", [["explore", "--cases", "1", "--seed", "3", "--json", "out.json"],
                                  ["synth", "walk", "--resd", "out.resd"]])
def test_an_output_cut_short_by_the_disk_leaves_nothing_half_written(argv: list[str], tmp_path: Path) -> None:
    """rig replay/bench/explore --json on a file system that filled (a 40 kB tmpfs) left half a JSON under
    the name (20,480 bytes of it); rig synth --resd left out.resd.tmp behind (a name a user's file may
    have). Each output is now written whole, or nothing stays."""
    env = {**os.environ, "STRIDELAB_SYNTH_CACHE": "off"}
    proc = subprocess.run([sys.executable, "-m", "rig", *argv], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env=env, preexec_fn=_file_size_limit)
    _refused(proc, f"{argv[-2]} {argv[-1]}: cannot write", "File too large")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [["explore", "--cases", "1", "--seed", "3", "--json", "FIFO"],
                                  ["plot", "walk", "--png", "FIFO"], ["synth", "walk", "--resd", "FIFO"],
                                  ["record", "--target", "host", "--duration", "1", "--out", "FIFO",
                                   "--runs-dir", "runs"]])
def test_an_output_fifo_nobody_reads_is_refused_in_bounded_time(argv: list[str], tmp_path: Path) -> None:
    """An output FIFO that no process reads held the command for ever (open() waits for a reader):
    rig record --out FIFO from the start, rig replay/explore --json FIFO after all the work."""
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    proc = rig(*[str(fifo) if a == "FIFO" else a for a in argv], cwd=tmp_path, timeout_s=45)
    _refused(proc, str(fifo), "no process read the FIFO within 5 s: start its reader first")


def test_a_plot_goes_through_a_pipe(tmp_path: Path) -> None:
    """rig plot --png /dev/stdout | display (or a FIFO with its reader) said 'cannot write the picture
    (None)': the PNG writer seeks, which a pipe cannot."""
    proc = subprocess.run([sys.executable, "-m", "rig", "plot", "walk", "--png", "/dev/stdout"], cwd=tmp_path,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("argv", [["bench", "walk", "--json", "-", "--runs-dir", "runs"],
                                  ["explore", "--cases", "1", "--json", "-"], ["synth", "walk", "--csv", "-"],
                                  ["synth", "walk", "--resd", "-"], ["plot", "walk", "--png", "-"],
                                  ["record", "--target", "host", "--out", "-", "--runs-dir", "runs"]])
def test_a_dash_that_would_be_a_file_named_dash_is_refused(argv: list[str], tmp_path: Path) -> None:
    """rig replay --json - writes to standard output; rig bench/explore --json -, rig synth --csv - (with
    -.truth.json beside it), --resd -, rig plot --png - and rig record --out - wrote a file named '-' (a
    pipe into jq read nothing; the next rig record --out - was refused for the -.truth.json left)."""
    proc = rig(*argv, cwd=tmp_path)
    _refused(proc, "'-' would be a file named '-'", "give a file path (./- for a file of that name)")
    assert sorted(tmp_path.iterdir()) == []


def test_replay_json_dash_is_standard_output(tmp_path: Path) -> None:
    proc = rig("synth", "standing", "--csv", "s.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = rig("replay", "s.csv", "--json", "-", "--runs-dir", "runs", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"] is not None
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("argv", [["replay", "REC.csv/"], ["plot", "REC.csv/", "--png", "p.png"],
                                  ["plot", "walk", "--png", "p.png", "--detected", "R.json/"],
                                  ["run", "--all", "--shard", "1/2", "--durations", "R.json/"]])
def test_a_file_named_with_a_trailing_slash_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """Path() drops a trailing /: rig replay REC.csv/ replayed REC.csv (and plot drew it), where the system refuses
    the name ('Not a directory')."""
    from rig.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "REC.csv").write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n0,0,0,1,0,0,0\n0.01,0,0,1,0,0,0\n")
    (tmp_path / "R.json").write_text('{"strides": []}')
    try:
        code = main(argv)  # rig plot's source is read by the command
    except SystemExit as done:  # the others by argparse
        code = int(str(done.code))
    assert code == 2
    err = capsys.readouterr().err
    assert "ends in /, a directory's mark" in err and "drop the trailing /" in err, err
    assert not (tmp_path / "p.png").exists() and not (tmp_path / "runs").exists()


def test_a_name_that_is_not_utf8_is_told_byte_for_byte(tmp_path: Path) -> None:
    # told as 'w\udcffk', the surrogate escape Python holds the byte in, a character the user never typed
    for args, told in (((b"run", b"w\xffk", b"--target", b"host"), b"unknown scenario 'w\\xffk'"),
                       ((b"run", b"walk", b"--target", b"w\xff"), b"unknown target 'w\\xff'"),
                       ((b"replay", b"w\xff.csv", b"--target", b"host"), b"w\\xff.csv: cannot read the recording")):
        proc = subprocess.run([sys.executable, "-m", "rig", *args], cwd=tmp_path, capture_output=True, timeout=120)
        assert proc.returncode == 2 and told in proc.stderr, (args, proc.stderr)
        assert b"\\udc" not in proc.stderr, proc.stderr
