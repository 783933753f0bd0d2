"""A board on a desk: `rig replay/run --target board --port PATH` checks the HELLO against the board profile
and says what is wrong with a port that is missing, busy, or answers with something else. Real ptys: the
native firmware's, or one whose other end the test writes to."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cobs import cobs

from frame_spec.envelope import Frame
from rig.cli import main
from rig.targets.host import HostTarget
from scenarios.recording_csv import write_recording
from tests.rig.targets.test_host import still_recording

pytestmark = pytest.mark.target("host")


@pytest.fixture
def still_csv(tmp_path: Path) -> Path:
    path = tmp_path / "still.csv"
    write_recording(still_recording(2.0), path)
    return path


@pytest.fixture
def host_pty(tmp_path: Path) -> Iterator[str]:
    fw = HostTarget()
    (tmp_path / "fw").mkdir()
    url = fw.start(tmp_path / "fw")
    yield url
    fw.stop()


def _replay(csv: Path, tmp_path: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["replay", str(csv), "--target", "board", "--json", str(tmp_path / "out.json"),
                 "--runs-dir", str(tmp_path / "runs"), *args])
    return code, capsys.readouterr().err


def test_the_profile_s_board_replays(host_pty: str, still_csv: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _replay(still_csv, tmp_path, "--port", host_pty, "--board-profile", "host", capsys=capsys)
    assert code == 0, err
    assert (tmp_path / "out.json").exists()


def test_another_firmware_is_refused_by_the_default_profile(host_pty: str, still_csv: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _replay(still_csv, tmp_path, "--port", host_pty, capsys=capsys)
    assert code == 2
    assert "board 'host'" in err and "profile nucleo-f401re expects board 'stm32f4'" in err
    assert "make -C firmware_c flash" in err and "rx.bin" not in err.split("expects")[0]


def test_a_missing_port_names_itself(still_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _replay(still_csv, tmp_path, "--port", str(tmp_path / "ttyACM9"), capsys=capsys)
    assert code == 2
    assert f"cannot open the link '{tmp_path / 'ttyACM9'}': no such serial port" in err and "plugged in" in err


@pytest.mark.parametrize("kind", ["a regular file", "a directory", "a FIFO", "no terminal", "a symlink loop",
                                  "the system's terminal device"])
def test_a_port_that_is_no_serial_device_says_what_it_is(kind: str, still_csv: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """--port naming a regular file, a directory or /dev/null was refused as 'Could not configure port:
    (25, 'Inappropriate ioctl for device')' or '[Errno 21] could not open port ...: Is a directory', and
    target.txt said 'board at PATH left running' though no board was there. /dev/null (a character device,
    but no terminal) was found only as the link opened, after the run directory was made and the recording
    read; /dev/tty (a completion cut short) wrote frames onto the user's own terminal."""
    port = tmp_path / "ttyACM0"
    if kind == "a regular file":
        port.write_bytes(b"")
    elif kind == "a directory":
        port.mkdir()
    elif kind == "a FIFO":
        os.mkfifo(port)
    elif kind == "a symlink loop":
        port.symlink_to(port.name)
    elif kind == "no terminal":
        port = Path(os.devnull)
    else:
        port = Path("/dev/tty")
    if kind in ("no terminal", "the system's terminal device") and not Path("/proc/tty/drivers").is_file():
        pytest.skip("no /proc/tty/drivers here: a character device is told to be no serial port only as it opens")
    code, err = _replay(still_csv, tmp_path, "--port", str(port), capsys=capsys)
    assert code == 2
    said = {"no terminal": "it is a character device but no terminal",
            "a symlink loop": "Too many levels of symbolic links"}.get(kind, f"it is {kind}")
    assert f"--port {port}: cannot open the link '{port}': {said}" in err, err
    assert "give the board's serial device" in err and len(err.splitlines()) == 1, err
    # known before anything is made: no run, no target line
    assert "target: board" not in err and not (tmp_path / "runs").exists(), err


def test_a_busy_port_names_the_process_that_holds_it(host_pty: str, still_csv: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import serial, sys, time; s = serial.Serial(sys.argv[1], exclusive=True); "
         "print('held', flush=True); time.sleep(60)", host_pty], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, err = _replay(still_csv, tmp_path, "--port", host_pty, "--board-profile", "host", capsys=capsys)
    finally:
        holder.kill()
        holder.wait()
    assert code == 2
    assert f"serial port {host_pty} is busy" in err and f"pid {holder.pid} (" in err


def _hello_v1() -> bytes:
    hello = {"protocol": 1, "fw_major": 0, "fw_minor": 0, "fw_patch": 9, "max_batch": 32, "rx_buffer_bytes": 2048,
             "board": "stm32f4"}
    return cobs.encode(Frame.build({"body": {"value": {"version": 1, "type": "HELLO", "seq": 0,
                                                        "payload": hello}}})) + b"\x00"


@pytest.mark.parametrize("answer, words", [
    (b"\r\nU-Boot SPL 2024.01\r\n=> ", "text came back, not frames: 'U-Boot SPL 2024.01"),
    (b"\x1f", "the STM32 system bootloader"),
    (_hello_v1(), "frames of another protocol came back (protocol version 1"),
    (b"", "nothing at all came back"),
])
def test_a_port_that_answers_something_else(answer: bytes, words: str, still_csv: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    master, slave = os.openpty()
    stop = threading.Event()

    def other_end() -> None:  # answers whatever comes with the same bytes, as that device would
        os.set_blocking(master, False)
        while not stop.is_set():
            try:
                if os.read(master, 4096) and answer:
                    os.write(master, answer)
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:
                return

    thread = threading.Thread(target=other_end, daemon=True)
    thread.start()
    try:
        code, err = _replay(still_csv, tmp_path, "--port", os.ttyname(slave), capsys=capsys)
    finally:
        stop.set()
        thread.join(2)
        os.close(master)
        os.close(slave)
    assert code == 2
    assert "did not send HELLO" in err and words in err
