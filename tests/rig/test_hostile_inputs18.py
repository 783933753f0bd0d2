"""The rig used as a careless or hostile user would, an eighteenth pass: the pytest plugin's options, the module
entry points (python -m rig.X) and the link fed hostile bytes. Each is refused with a message naming the input, the
problem and what to do, or read as documented; never a traceback, a hang or a silently wrong answer."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from frame_spec import Message, MsgType
from rig.cli import main
from rig.records import SHOWN_FRAME_ERRORS
from tests.rig.fake_board import FakeBoard, summary_of

REPO = Path(__file__).resolve().parents[2]


def python_m(module: str, *args: str, cwd: Path, timeout_s: float = 120,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m MODULE ARGS` in CWD (the repository importable) and return what it did."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout_s, env={**os.environ, "PYTHONPATH": path, **(env or {})})


def _refused(proc: subprocess.CompletedProcess[str], *words: str, code: int = 2) -> None:
    out = proc.stdout + proc.stderr
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in out, out[-3000:]
    for w in words:
        assert w in out, out[-3000:]


def test_a_report_as_name_too_long_for_a_file_name_is_refused_before_any_test(tmp_path: Path) -> None:
    # --report-as of 300 characters ran every test, then ended the session in a traceback of pytest's junitxml
    # plugin (OSError: [Errno 36] File name too long: .../pytest-junit-aaa....xml), exit 1
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = python_m("pytest", "-p", "no:cacheprovider", "test_x.py", "--report", "report", "--report-as", "a" * 300,
                    cwd=tmp_path)
    _refused(proc, "--report-as", "300 characters", "at most", code=int(pytest.ExitCode.USAGE_ERROR))


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never sends a byte (no RFC 2217 server)."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        server.close()


def test_an_rfc2217_url_in_capitals_keeps_its_negotiation_bounded(silent_server: int, tmp_path: Path) -> None:
    # pyserial reads RFC2217:// as rfc2217://, and the rig's checks compared the scheme as written: the bound on
    # ?timeout= was passed by, and --port 'RFC2217://HOST:PORT?timeout=inf' to a server that never answers the
    # negotiation: the dut's link waited for ever (the test never ended, nor pytest)
    (tmp_path / "test_x.py").write_text("def test_x(dut):\n    pass\n")
    url = f"RFC2217://127.0.0.1:{silent_server}?timeout=inf"
    proc = python_m("pytest", "-p", "no:cacheprovider", "test_x.py", "--target", "board", "--port", url,
                    cwd=tmp_path, timeout_s=60)
    _refused(proc, url, "timeout='inf'", "0 < timeout", code=int(pytest.ExitCode.USAGE_ERROR))


def _still_csv(path: Path, samples: int = 832) -> Path:
    """A recording of a shoe standing still at 416 Hz."""
    path.write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n" + "".join(f"{i / 416:.6f},0,0,1,0,0,0\n"
                                                                       for i in range(samples)))
    return path


def _replay_on_board(tmp_path: Path, on_frame: Callable[[FakeBoard, Message], bool]) -> int:
    """rig replay of 2 s of a shoe standing still on a board that answers each frame the rig sends through
    on_frame; the command's exit status."""
    with FakeBoard(summary_of(832 / 416), on_frame=on_frame) as board:
        return main(["replay", str(_still_csv(tmp_path / "still.csv")), "--target", "board", "--port", board.url,
                     "--board-profile", "host", "--json", str(tmp_path / "out.json"), "--runs-dir",
                     str(tmp_path / "runs")])


def test_a_flood_of_acks_of_frames_never_sent_is_counted_not_listed(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # a board answering each SAMPLE_BATCH with 200 ACKs of seqs the rig never sent: the 2 s replay failed (exit 1,
    # rightly) and printed a line for each of them, 5,201 lines and 1.5 MB on stderr, where corrupt frames are
    # named up to 20 and counted; printed capped, the session still kept a sentence per ACK for the whole run (a
    # board flooding a 30-minute replay grew the rig's memory by hundreds of bytes per frame)
    from rig import session as session_module

    sessions: list[Any] = []
    real_init = session_module.ReplaySession.__init__

    def keep(self: Any, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        sessions.append(self)

    monkeypatch.setattr(session_module.ReplaySession, "__init__", keep)
    flooded = [0]

    def flood(board: FakeBoard, msg: Message) -> bool:
        if msg.type is MsgType.SAMPLE_BATCH:
            for i in range(200):
                board.send(MsgType.ACK, {"acked_seq": 60000 + i, "status": 0, "session": board.session})
                flooded[0] += 1
        return False

    code = _replay_on_board(tmp_path, flood)
    err = capsys.readouterr().err
    assert code == 1, err[-3000:]
    assert "ACK of a frame never sent" in err, err[-3000:]
    assert "more ACK(s) of a frame never sent" in err and "in all" in err, err[-3000:]
    assert err.count("\n") < 60, (err.count("\n"), err[-3000:])
    assert sessions, "no replay session was made"
    acks = sessions[-1].unsent_acks
    stored = acks.kept if hasattr(acks, "kept") else acks
    assert len(stored) <= SHOWN_FRAME_ERRORS, len(stored)
    said = re.search(r"more ACK\(s\) of a frame never sent, (\d+) in all", err)  # every one still counted
    assert said is not None and int(said.group(1)) == flooded[0], (flooded[0], err[-2000:])


def test_frames_of_garbage_show_a_bounded_excerpt_of_their_bytes(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # a noisy line (a kilobyte of garbage between two delimiters after each SAMPLE_BATCH's ACK): the replay failed
    # (exit 1, rightly) naming up to 20 corrupt frames, each with every byte of it in hex, 64 kB on stderr
    def noise(board: FakeBoard, msg: Message) -> bool:
        if msg.type is MsgType.SAMPLE_BATCH and board._conn is not None:
            board._conn.sendall(b"\x00" + bytes((7 * i) % 127 | 1 for i in range(1000)) + b"\x00")
        return False

    code = _replay_on_board(tmp_path, noise)
    err = capsys.readouterr().err
    assert code == 1, err[-3000:]
    assert "corrupt frame from the firmware" in err and "(1000 bytes in all)" in err, err[:3000]
    assert len(err) < 12000, (len(err), err[:3000])


def test_an_empty_qemu_scenario_of_the_speed_benchmark_is_refused(capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # python -m rig.speed --only qemu --qemu-scenario "$SCENARIO" with the variable unset measured steady_run, the
    # default, and printed its figure as if it were the scenario asked for
    from rig import speed

    monkeypatch.setattr(speed, "run_speed", lambda *args, **kwargs: pytest.fail("measured: the arguments were taken"))
    with pytest.raises(SystemExit) as exit_info:
        speed.main(["--only", "qemu", "--qemu-scenario", ""])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert "--qemu-scenario '' is empty" in err and "Traceback" not in err, err


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_a_durations_pipe_is_read_once_for_the_shard(workers: list[str], tmp_path: Path) -> None:
    # --shard-durations <(...) (a pipe, which the option takes): pytest_configure read it, the collection read it
    # again, found nothing for 5 s and ended in an INTERNALERROR traceback, exit 3 (every pytest-xdist worker
    # read it a third time)
    (tmp_path / "test_x.py").write_text("import pytest\n\n@pytest.mark.parametrize('i', range(4))\n"
                                        "def test_x(i):\n    pass\n")
    fifo = tmp_path / "durations.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "w") as f:  # one writer, once: as a shell's <(cat durations.json)
            f.write('{"test_x.py::test_x[0]": 30, "test_x.py::test_x[1]": 1}')

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    proc = python_m("pytest", "-p", "no:cacheprovider", "test_x.py", "--shard", "1/2", "--shard-durations", str(fifo),
                    *workers, cwd=tmp_path, timeout_s=120)
    writer.join(5)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "INTERNALERROR" not in out and "Traceback" not in out, out[-3000:]
    assert "1 passed" in out, out[-3000:]  # test_x[0] weighs 30 s: a shard of its own

