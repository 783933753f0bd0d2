"""A build command run in a process group of its own ends with that group."""

from __future__ import annotations

import signal
import sys

import pytest

from rig.process_group import run_group


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/PID/status is Linux's")
def test_a_build_started_while_the_rig_ignores_sigterm_still_takes_it() -> None:
    """A build (the native build's make, the cocotb simulation's) started while the rig ignored SIGTERM
    (cleaning up after one) inherited the ignored signal: end_group's SIGTERM did nothing to it."""
    before = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        done = run_group(["grep", "^SigIgn:", "/proc/self/status"], 30)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    assert done.returncode == 0, done.stderr
    mask = int(done.stdout.split()[1], 16)
    assert not mask & (1 << (signal.SIGTERM - 1)) and not mask & (1 << (signal.SIGHUP - 1)), done.stdout
