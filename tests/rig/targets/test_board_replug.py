"""A board whose USB-serial port vanishes mid-run and comes back (the ST-LINK re-enumerating), and a
board that resets mid-run: real ptys behind a symlink, as udev names a USB-serial device."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from rig.errors import FirmwareRestarted, LinkError
from rig.runner import run_recording
from rig.targets.board import BoardTarget
from rig.targets.host import HostTarget
from tests.rig.replug import Replug
from tests.rig.targets.test_host import still_recording

pytestmark = pytest.mark.target("host")


@pytest.fixture
def firmware(tmp_path: Path):
    fw = HostTarget()
    (tmp_path / "fw").mkdir()
    yield fw, fw.start(tmp_path / "fw")
    fw.stop()


def test_a_port_that_vanishes_and_comes_back_is_reopened_and_no_byte_is_lost(firmware, tmp_path: Path) -> None:
    _, pty = firmware
    link = tmp_path / "usb-STMicroelectronics_STM32_STLink-if02"
    replug = Replug(pty, link, unplug_after=400, gap_s=0.6)
    try:
        result = run_recording(BoardTarget(port=str(link), profile="host"), still_recording(20.0), tmp_path / "run")
    finally:
        replug.close()
    assert replug.unplugged_at is not None, "the port was unplugged mid-run"
    assert len(result.reopens) == 1 and "was reopened" in result.reopens[0]
    assert any("was reopened" in n for n in result.notes())
    # every sample was analyzed once, every byte the firmware sent is in the capture, in order
    assert result.summary is not None and result.summary["duration_s"] == pytest.approx(20.0, abs=0.01)
    assert not result.link_problems()
    assert (tmp_path / "run" / "rx.bin").read_bytes() == bytes(replug.to_rig)
    assert (tmp_path / "run" / "tx.bin").read_bytes() == bytes(replug.to_firmware)
    assert replug.unplugged_at < len(replug.to_rig)


def test_a_port_that_does_not_come_back_fails_the_run_within_the_bound(firmware, tmp_path: Path) -> None:
    _, pty = firmware
    link = tmp_path / "ttyACM0"
    replug = Replug(pty, link, unplug_after=400, come_back=False)
    board = BoardTarget(port=str(link), profile="host")
    board.reopen_s = 1.0
    try:
        with pytest.raises(LinkError, match=rf"the port {link} failed after \d+ bytes received .* and did not come back "
                                            r"within 1 s .*is the board still plugged in"):
            run_recording(board, still_recording(20.0), tmp_path / "run")
    finally:
        replug.close()
    assert (tmp_path / "run" / "rx.bin").read_bytes() == bytes(replug.to_rig)


def test_a_board_reset_mid_run_is_reported_as_such(tmp_path: Path) -> None:
    """The board resets (a brown-out): its USB port vanishes, comes back, and the firmware boots again."""
    first, second = HostTarget(), HostTarget()
    for d in ("fw1", "fw2", "run"):
        (tmp_path / d).mkdir()
    link = tmp_path / "ttyACM0"
    os.symlink(first.start(tmp_path / "fw1"), link)
    capture = tmp_path / "run" / "rx.bin"

    def brown_out() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (not capture.exists() or capture.stat().st_size < 400):
            time.sleep(0.001)
        first.stop()
        link.unlink()
        os.symlink(second.start(tmp_path / "fw2"), link)

    thread = threading.Thread(target=brown_out, daemon=True)
    thread.start()
    try:
        with pytest.raises(FirmwareRestarted, match=r"restarted mid-run: a boot HELLO \(seq 0\) came after this run's "
                                                    r"CONFIG, \d+ samples into the run.*the port vanished and came back"):
            run_recording(BoardTarget(port=str(link), profile="host"), still_recording(60.0), tmp_path / "run")
    finally:
        thread.join(30)
        first.stop()
        second.stop()
    frames = (tmp_path / "run" / "frames.jsonl").read_text().splitlines()
    assert frames[0].startswith('{"type": "HELLO", "seq": 0,')
    reopened = next(i for i, f in enumerate(frames) if '"reopened"' in f)
    assert frames[reopened + 1].startswith('{"type": "HELLO", "seq": 0,'), "the second firmware's boot HELLO is kept"
