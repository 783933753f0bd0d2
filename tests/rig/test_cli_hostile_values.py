"""Hostile values for the rig's options and variables, and outputs that cannot be written: each is
refused with exit 2 and a message naming the input, the problem and what to do, before any work;
nothing hangs, no traceback, nothing half-written stays."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rig.test_cli_hostile import _refused, rig


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory the rig cannot write into: no write permission, or (as root, whom permissions do not
    stop) a read-only file system mounted there."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    mounted = False
    if os.access(ro, os.W_OK):
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "stridelab-ro", str(ro)],
                              capture_output=True)
        if done.returncode != 0:
            ro.chmod(0o755)
            pytest.skip("no directory here is read-only to this user (root, and no mount allowed)")
        mounted = True
    try:
        yield ro
    finally:
        if mounted:
            subprocess.run(["umount", str(ro)], check=False)
        ro.chmod(0o755)


@pytest.mark.parametrize("argv", [["bench", "standing"], ["run", "standing"], ["replay", "REC"],
                                  ["run", "standing", "--runs-dir", "RO/runs"], ["run", "standing", "--report", "RO/rep",
                                                                                "--runs-dir", "TMP/runs"],
                                  ["record", "--target", "host", "--out", "TMP/r.csv"], ["ble", "standing"]])
def test_a_runs_dir_that_cannot_be_written_is_refused_before_any_work(argv: list[str], read_only_dir: Path,
                                                                     tmp_path: Path) -> None:
    """rig bench in a read-only checkout (its default runs/) ran the catalog and ended 'ARM: not measured:
    --runs-dir runs: cannot create a run directory there (Read-only file system)'; rig run and rig replay
    synthesized or read the recording first. The directory is now checked as the options are read."""
    rec = tmp_path / "rec.csv"
    rec.write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n" + "".join(
        f"{i / 416:.6f},0,0,1,0,0,0\n" for i in range(832)))
    cache = tmp_path / "cache"
    argv = [a.replace("RO", str(read_only_dir)).replace("TMP", str(tmp_path)).replace("REC", str(rec)) for a in argv]
    proc = rig(*argv, cwd=read_only_dir, env={"STRIDELAB_SYNTH_CACHE": str(cache)})
    option = "--report" if "--report" in argv else "--runs-dir"
    _refused(proc, f"argument {option}: {option} ", "cannot create directories under", "give a path in a directory "
             "you can write")
    assert not cache.exists(), "nothing was synthesized"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.csv", "ro"]


def _standing_csv(path: Path) -> Path:
    path.write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n" + "".join(
        f"{i / 416:.6f},0,0,1,0,0,0\n" for i in range(832)))
    return path


@pytest.mark.target("host")
@pytest.mark.parametrize("how", ["file", "pipe"])
def test_replay_dash_reads_the_recording_from_standard_input(tmp_path: Path, how: str) -> None:
    """rig replay - < walk.csv (or logger | rig replay -) was refused as '-: cannot read the recording (No
    such file or directory)': '-' was opened as a file of that name."""
    rec = _standing_csv(tmp_path / "rec.csv")
    (tmp_path / "-.truth.json").write_text("not a sidecar of standard input")
    if how == "file":
        with rec.open() as stdin:
            proc = rig("replay", "-", "--runs-dir", "runs", cwd=tmp_path, stdin=stdin)
    else:
        proc = subprocess.run(f"cat {rec} | {sys.executable} -m rig replay - --runs-dir runs", shell=True, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["strides"] == [] and result["summary"]["duration_s"] == pytest.approx(2.0, abs=0.01)
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert run_dir.name.endswith("-stdin-host")


def test_replay_dash_from_a_terminal_or_no_standard_input_is_refused(tmp_path: Path) -> None:
    primary, secondary = os.openpty()
    try:
        proc = rig("replay", "-", "--runs-dir", "runs", cwd=tmp_path, stdin=secondary, timeout_s=60)
    finally:
        os.close(primary)
        os.close(secondary)
    _refused(proc, "-: standard input is a terminal, not a recording", "pipe the recording in")
    proc = subprocess.run(f"{sys.executable} -m rig replay - --runs-dir runs <&-", shell=True, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    _refused(proc, "-: standard input is closed", "pipe the recording in")
    assert not (tmp_path / "runs").exists()


def test_replay_dash_from_an_empty_pipe_is_refused_at_once(tmp_path: Path) -> None:
    """printf '' | rig replay - waited 5 s and said 'the pipe delivered nothing for 5 s' though the pipe had
    ended (its writer closed it) at once."""
    proc = subprocess.run(f"printf '' | {sys.executable} -m rig replay - --runs-dir runs", shell=True, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    _refused(proc, "-: standard input ended before its first byte: it holds no recording", "pipe the recording in")
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("argv", [["run", "standing"], ["replay", "REC"], ["ble", "standing"],
                                  ["record", "--out", "TMP/r.csv"]])
def test_a_missing_board_port_is_refused_before_a_run_directory_is_made(argv: list[str], tmp_path: Path) -> None:
    """rig run/replay/ble --target board --port /dev/ttyACM7 (no such device) made a run directory, synthesized
    the scenario or read the recording, and then said 'no such serial port' with 'board at /dev/ttyACM7 left
    running' and the run directory of a run that never began."""
    if argv[0] == "ble":
        pytest.importorskip("bumble", reason="the BLE shoe needs the ble extra: pip install -e '.[ble]'")
    rec = _standing_csv(tmp_path / "rec.csv")
    port = str(tmp_path / "ttyACM7")
    argv = [a.replace("TMP", str(tmp_path)).replace("REC", str(rec)) for a in argv]
    target = [] if argv[0] == "record" else ["--target", "board"]
    proc = rig(*argv, *target, "--port", port, "--runs-dir", "runs", cwd=tmp_path,
               env={"STRIDELAB_SYNTH_CACHE": str(tmp_path / "cache")})
    _refused(proc, f"cannot open the link {port!r}: no such serial port", "Ports present now")
    assert "run directory" not in proc.stderr and "left running" not in proc.stderr, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.csv"]


def _refused_port() -> str:
    """A loopback port nothing listens at (bound, then closed): a connection to it is refused."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    return f"socket://127.0.0.1:{port}"


@pytest.mark.parametrize("argv", [["run", "standing"], ["replay", "REC"], ["ble", "standing"],
                                  ["record", "--out", "TMP/r.csv"]])
def test_a_network_port_that_refuses_the_connection_is_refused_in_a_line(argv: list[str], tmp_path: Path) -> None:
    """rig run steady_run --target board --port socket://127.0.0.1:1 (no server there) made a run directory,
    synthesized the scenario, and ended in four lines: pyserial's 'Could not open port ...: [Errno 111] Connection
    refused', 'check that the port exists...', 'target: board at socket://127.0.0.1:1 left running' and the run
    directory of a run that never began."""
    if argv[0] == "ble":
        pytest.importorskip("bumble", reason="the BLE shoe needs the ble extra: pip install -e '.[ble]'")
    rec = _standing_csv(tmp_path / "rec.csv")
    url = _refused_port()
    argv = [a.replace("TMP", str(tmp_path)).replace("REC", str(rec)) for a in argv]
    target = [] if argv[0] == "record" else ["--target", "board"]
    proc = rig(*argv, *target, "--port", url, "--runs-dir", "runs", cwd=tmp_path,
               env={"STRIDELAB_SYNTH_CACHE": str(tmp_path / "cache")})
    _refused(proc, f"--port {url}: cannot open the link", "nothing listens at 127.0.0.1:", "(connection refused)")
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.csv"]


def test_a_network_port_whose_host_has_no_address_is_refused(tmp_path: Path) -> None:
    proc = rig("run", "standing", "--target", "board", "--port", "socket://no-such-board.invalid:5000",
               "--runs-dir", "runs", cwd=tmp_path)
    _refused(proc, "--port socket://no-such-board.invalid:5000", "the host 'no-such-board.invalid' has no address")
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("duration, words", [
    ("inf", "--duration inf: 416 Hz gives more than the 8,388,608 samples a recording may hold; give at most "
            "20,165 s, or leave --duration out to record until Ctrl-C"),
    ("1e300", "--duration 1e+300: 416 Hz gives more than"),
    ("86400", "--duration 86400: 416 Hz gives more than"),
])
def test_a_record_duration_no_recording_can_hold_is_refused(duration: str, words: str, tmp_path: Path) -> None:
    """rig record --duration inf recorded until Ctrl-C, as if no duration were given; --duration 86400 went on
    for a day to write 36 M samples, a recording rig replay, rig plot and rig bench refuse (over 2^23)."""
    proc = rig("record", "--target", "host", "--out", "r.csv", "--runs-dir", "runs", "--duration", duration,
               cwd=tmp_path, timeout_s=60)
    _refused(proc, words)
    assert sorted(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["missing", "a regular file", "no terminal"])
def test_a_board_port_from_the_environment_is_named_as_the_variable(kind: str, tmp_path: Path) -> None:
    """STRIDELAB_PORT naming no serial device was refused as 'cannot open the link PATH: ...', a port the user
    never typed, with no word of the variable it came from; STRIDELAB_PORT=/dev/null only as the link opened,
    a run directory made, the scenario synthesized, and no word of the variable either."""
    port = tmp_path / "ttyACM7"
    if kind == "a regular file":
        port.write_text("")
    if kind == "no terminal":
        if not Path("/proc/tty/drivers").is_file():
            pytest.skip("no /proc/tty/drivers here: a character device is told to be no serial port only as it opens")
        port = Path(os.devnull)
    proc = rig("run", "standing", "--target", "board", "--runs-dir", "runs", cwd=tmp_path,
               env={"STRIDELAB_PORT": str(port)})
    _refused(proc, f"$STRIDELAB_PORT={port}: cannot open the link", "set $STRIDELAB_PORT to the board's port, unset it, "
             "or give --port URL")
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert not (tmp_path / "runs").exists()


def test_an_output_named_with_bytes_that_are_no_utf8_is_written_and_said(tmp_path: Path) -> None:
    """Under a UTF-8 locale (standard output strict about encoding), rig synth --csv $'walk\\xff.csv' wrote the
    recording and its truth, then failed on the line naming them: 'rig synth: error: 'utf-8' codec can't encode
    character '\\udcff' in position 47: surrogates not allowed', exit 2, for a command that had done its work."""
    name = b"walk\xff.csv"
    proc = subprocess.run([sys.executable, "-m", "rig", "synth", "standing", "--csv", os.fsdecode(name)], cwd=tmp_path,
                          capture_output=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert b"Traceback" not in proc.stderr and b"can't encode" not in proc.stderr, proc.stderr
    assert proc.stdout.rstrip().endswith(b"-> " + name), proc.stdout
    assert sorted(os.listdir(os.fsencode(tmp_path))) == [b"walk\xff.csv", b"walk\xff.truth.json"]


def test_pytest_runs_dir_that_cannot_be_written_is_a_usage_error(read_only_dir: Path, tmp_path: Path) -> None:
    """pytest --runs-dir on a read-only file system passed configuration and failed every test that ran a
    target, each with the same 'cannot create a run directory there (Read-only file system)'."""
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py", "--runs-dir",
                           str(read_only_dir / "runs")], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert f"--runs-dir {read_only_dir / 'runs'}: cannot create directories under {read_only_dir}" in proc.stderr, \
        proc.stderr


@pytest.mark.parametrize("rate", ["nan", "inf", "-5", "0", "1e300"])
def test_synth_names_an_odr_it_cannot_take_as_the_option(rate: str, tmp_path: Path) -> None:
    """rig synth --odr-hz nan was refused as 'odr_hz=nan: must be within 10..10000 Hz': the library's name for
    it, and no word of the rates the sensor has."""
    proc = rig("synth", "walk", "--csv", "w.csv", "--odr-hz", rate, cwd=tmp_path, timeout_s=60)
    _refused(proc, f"--odr-hz {float(rate):g}: give a sensor rate within 10..10000 Hz", "416, 833")
    assert sorted(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value, from_s", [("-1e3", -1000.0), ("-1E-2", -0.01), ("-.5", -0.5), ("-5", -5.0)])
def test_a_negative_number_in_any_notation_is_an_options_value(value: str, from_s: float) -> None:
    # argparse's own pattern knows -5 and -.5 only: rig plot --from -1e3 was refused as
    # 'argument --from: expected one argument', taking the number for an option
    from rig.cli import build_parser

    args = build_parser().parse_args(["plot", "walk", "--png", "out.png", "--from", value])
    assert args.from_s == from_s


@pytest.mark.parametrize("argv, words", [
    (("plot", "standing", "--png", "out.png", "--from", "-inf"), ("--from -inf: not a time",)),
    (("run", "standing", "--seed", "-1e3"), ("argument --seed", "'-1e3'")),
    (("record", "--target", "host", "--out", "r.csv", "--duration", "-1e3"), ("--duration -1000",)),
    (("ble", "standing", "--wait-s", "-1e3"), ("argument --wait-s", "-1e3")),
])
def test_a_negative_number_an_option_cannot_take_is_refused_in_its_words(argv: tuple[str, ...], words: tuple[str, ...],
                                                                         tmp_path: Path) -> None:
    proc = rig(*argv, cwd=tmp_path)
    _refused(proc, *words)
    assert "expected one argument" not in proc.stderr


def test_plot_from_a_negative_time_in_exponent_notation(tmp_path: Path) -> None:
    proc = rig("plot", "standing", "--png", "out.png", "--from", "-1e3", "--to", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "out.png").stat().st_size > 0


def test_synth_refuses_to_write_a_recording_under_a_truth_sidecars_name(tmp_path: Path) -> None:
    """rig synth walk --csv walk.truth.json (a completion one word too far) wrote the recording over the truth of
    walk.csv, then read as 'invalid JSON', and put its own truth in walk.truth.truth.json, exit 0."""
    truth = tmp_path / "walk.truth.json"
    truth.write_text('{"events": []}\n')
    _refused(rig("synth", "walk", "--csv", str(truth), cwd=tmp_path), f"--csv {truth}: the name of a truth sidecar",
             "the truth of walk.csv", "give a recording's name (e.g. walk.csv)")
    assert truth.read_text() == '{"events": []}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walk.truth.json"]


def test_record_refuses_to_write_a_recording_under_a_truth_sidecars_name(tmp_path: Path) -> None:
    truth = tmp_path / "walk.truth.json"
    truth.write_text('{"events": []}\n')
    _refused(rig("record", "--target", "host", "--out", str(truth), "--runs-dir", "runs", "--duration", "2",
                 cwd=tmp_path), f"--out {truth}: the name of a truth sidecar", "e.g. run.csv")
    assert truth.read_text() == '{"events": []}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walk.truth.json"]
