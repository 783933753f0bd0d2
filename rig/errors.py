"""Errors the rig raises. Each message names the input and says what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


class RigError(Exception):
    """Base of every error the rig reports to its user (exit code 2 in the CLI)."""


class TargetUnavailable(RigError):
    """A target cannot run on this machine (tool missing, no port); the reason says why."""


class CaptureError(RigError):
    """A run's capture could not be written (a full file system, a read-only one): the run stops there."""

    @classmethod
    def writing(cls, path: Path, exc: OSError) -> "CaptureError":
        """The error of a failed write of the capture file at path."""
        return cls(f"cannot write the run's capture {path} ({exc.strerror or exc}): the run stops here, keeping "
                   "what was written before; free space on that file system, or give a --runs-dir with room")


class LinkError(RigError):
    """The link failed: port missing, closed, corrupt frames, or a timeout."""

    def __init__(self, message: str, capture: Path | None = None) -> None:
        if capture is not None:
            message = f"{message}\n  every byte received is in {capture}"
        super().__init__(message)
        self.capture = capture


class LinkTimeout(LinkError):
    """The firmware did not answer in time."""


class FirmwareFault(LinkError):
    """The firmware reported a FAULT frame (crash); `where` holds PC and LR as source, when the image is known."""

    payload: dict[str, Any]
    where: dict[str, str]

    @classmethod
    def from_payload(cls, payload: dict[str, Any], capture: Path | None,
                     symbolize: Callable[[int], str] | None = None) -> "FirmwareFault":
        """The error of a FAULT payload: reason and registers in hex, then PC and LR as function, file and line."""
        p = payload
        message = (f"firmware crashed: {p['reason']} at pc=0x{p['pc']:08x} lr=0x{p['lr']:08x} "
                   f"cfsr=0x{p['cfsr']:08x} hfsr=0x{p['hfsr']:08x} bfar=0x{p['bfar']:08x}")
        where = {reg: symbolize(int(p[reg])) for reg in ("pc", "lr")} if symbolize is not None else {}
        for reg, text in where.items():
            message += f"\n  {reg} 0x{p[reg]:08x}: {text}"
        err = cls(message, capture)
        err.payload = dict(payload)
        err.where = where
        return err


class FirmwareRestarted(LinkError):
    """The firmware booted again mid-run (a boot HELLO after CONFIG, then answers without this run's session)."""
