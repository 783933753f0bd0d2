"""The board target: the flashed ARM image on a real board, over USB-serial or the network."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rig.boards import BoardProfile, check_hello, get_profile
from rig.serial_ports import is_local, require_present
from rig.targets.base import Availability, Target

PORT_ENV = "STRIDELAB_PORT"
#: How long a device path that vanished (the ST-LINK re-enumerating after flashing, a brown-out) may stay away, s.
REOPEN_S = 10.0


class BoardTarget(Target):
    """A real board at a pyserial URL: /dev/ttyACM0, rfc2217://host:port, socket://host:port.

    Its HELLO must be the one its profile (rig.boards) names: the board id and the protocol."""

    name = "board"
    description = f"a flashed board at --port URL (or ${PORT_ENV}): /dev/ttyACM0, rfc2217://, socket://"

    def __init__(self, port: str | None = None, profile: BoardProfile | str | None = None) -> None:
        """profile: a BoardProfile or its name; default $STRIDELAB_BOARD_PROFILE, else nucleo-f401re."""
        self.port = port or os.environ.get(PORT_ENV)
        self.profile = profile if isinstance(profile, BoardProfile) else get_profile(profile)
        self.baud = self.profile.baud
        # a USB device comes back at the same path (/dev/serial/by-id/...); a network port that closed has ended
        self.reopen_s = REOPEN_S if self.port and is_local(self.port) else 0.0

    @classmethod
    def availability(cls) -> Availability:
        """Available when $STRIDELAB_PORT names a URL (scheme://) or an existing serial device."""
        port = os.environ.get(PORT_ENV)
        if not port:
            return Availability(False, f"no board port given: pass --port URL or set {PORT_ENV}")
        if "://" not in port and not Path(port).exists():
            return Availability(False, f"serial port {port} does not exist (is the board plugged in?)")
        return Availability(True)

    def usable(self) -> Availability:
        """Trust a port given to the constructor; without one, as availability() says."""
        return Availability(True) if self.port else self.availability()

    def start(self, run_dir: Path) -> str:
        """Return the board's port as the link URL; the flashed board already runs, so nothing is started.

        Raises RigError when a device path does not exist (naming the ports that do)."""
        self.require()
        assert self.port is not None
        if is_local(self.port):
            require_present(self.port)
        return self.port

    def check_hello(self, hello: dict[str, Any]) -> None:
        """RigError unless the HELLO is the profile's (board id, protocol version)."""
        check_hello(self.profile, hello, str(self.port))

    def stop(self) -> str:
        """Leave the board running (nothing to stop); return a line saying so."""
        return f"board at {self.port} left running"
