"""process_listens: which process serves a port, found without connecting to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from rig.targets.sockets import process_listens

LISTENER = """
import socket, sys, time
s = socket.create_server(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(30)
"""


def test_finds_the_listening_process_and_no_other() -> None:
    child = subprocess.Popen([sys.executable, "-c", LISTENER], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        assert process_listens(child.pid, port)
        assert not process_listens(os.getpid(), port)
        assert not process_listens(child.pid, port + 1 if port < 65535 else port - 1)
    finally:
        child.kill()
        child.wait(5)


def test_a_closed_server_is_not_listening() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()
    assert not process_listens(os.getpid(), port)
