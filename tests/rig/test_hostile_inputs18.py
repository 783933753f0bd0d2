"""The rig used as a careless or hostile user would, an eighteenth pass: the pytest plugin's options, the module
entry points (python -m rig.X) and the link fed hostile bytes. Each is refused with a message naming the input, the
problem and what to do, or read as documented; never a traceback, a hang or a silently wrong answer."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

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
