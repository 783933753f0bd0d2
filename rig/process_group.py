"""Run a build command so that nothing it starts outlives it: the command and every process it
starts (make's compilers, a simulator build's tools) share one process group, and that whole
group is ended when the wait for it ends early (its time limit, Ctrl-C, SIGTERM).

Killing only the command itself, as subprocess.run does, leaves make's running `cc` and `cc1`
orphaned: they go on compiling after the rig has exited.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Sequence
from typing import Any

#: How long the group gets to end after SIGTERM before it is killed, s.
TERM_GRACE_S = 2.0


def end_group(proc: subprocess.Popen[Any], grace_s: float = TERM_GRACE_S) -> None:
    """End every process of proc's group: SIGTERM, then SIGKILL after grace_s; reap proc."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break  # the group is empty: every member has exited
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            pass
        # SIGKILL follows even when the leader has exited: members it left behind get it too
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        pass


def run_group(cmd: Sequence[str], timeout_s: float, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s) in a process group of
    its own; on the time limit (subprocess.TimeoutExpired) or any exception while waiting (the
    KeyboardInterrupt of a signal) the whole group is ended before the exception goes on."""
    # SIGTERM, SIGINT and SIGHUP at their defaults in the group: a build started while the rig ignores them
    # (cleaning up after one) would otherwise ignore end_group's SIGTERM
    from rig.targets.parent_death import signals_at_default  # (rig.targets imports rig.build, which imports this)

    kwargs.setdefault("preexec_fn", signals_at_default())
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kwargs)
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except BaseException:
        end_group(proc)
        raise
    finally:
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    return subprocess.CompletedProcess(list(cmd), proc.returncode, out, err)
