"""A firmware that runs as a local process (host build, emulators): start, watch, stop."""

from __future__ import annotations

import selectors
import subprocess
import time
from pathlib import Path
from typing import IO

from rig.errors import RigError


class FirmwareProcess:
    """A child process whose stdout announces its link; stderr goes to a log file."""

    def __init__(self, argv: list[str], log_path: Path) -> None:
        self.argv = argv
        self.log_path = log_path
        self._log: IO[bytes] = open(log_path, "wb")
        try:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL)
        except OSError as exc:
            self._log.close()
            raise RigError(f"cannot start {argv[0]}: {exc}") from None

    def read_line(self, prefix: str, timeout_s: float) -> str:
        """Wait for a stdout line starting with prefix; return the rest of the line."""
        assert self.proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout_s
        seen: list[str] = []
        try:
            while (left := deadline - time.monotonic()) > 0:
                if not sel.select(left):
                    break
                line = self.proc.stdout.readline().decode(errors="replace")
                if not line:
                    break
                if line.startswith(prefix):
                    return line[len(prefix):].strip()
                seen.append(line.rstrip())
        finally:
            sel.close()
        raise RigError(
            f"{self.argv[0]} did not announce its link ('{prefix}...') within {timeout_s:g} s; "
            f"exit status {self.proc.poll()}; stdout: {seen[-5:]}; stderr: {self.stderr_tail()}"
        )

    def stderr_tail(self, limit: int = 2000) -> str:
        """The end of what the process wrote to stderr."""
        self._log.flush()
        try:
            return self.log_path.read_bytes()[-limit:].decode(errors="replace").strip()
        except OSError:
            return ""

    def stop(self, timeout_s: float = 3.0) -> str:
        """Terminate (then kill) the process; describe how it ended."""
        status = self.proc.poll()
        how = "had already exited"
        if status is None:
            self.proc.terminate()
            how = "terminated"
            try:
                status = self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                status = self.proc.wait(timeout_s)
                how = f"killed after {timeout_s:g} s"
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()
        return f"{self.argv[0]} {how}, exit status {status}"
