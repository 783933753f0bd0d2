"""The board target: the flashed ARM image on a real board, over USB-serial or the network."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rig.boards import BoardProfile, check_hello, get_profile
from rig.errors import LinkError, RigError
from rig.farm import PLACE_ENV, PlaceLease, labgrid_missing, place_pool
from rig.port_open import open_ahead
from rig.serial_ports import is_local, is_serial_device, require_present
from rig.targets.base import Availability, Target

PORT_ENV = "STRIDELAB_PORT"
#: How long a device path that vanished (the ST-LINK re-enumerating after flashing, a brown-out) may stay away, s.
REOPEN_S = 10.0


class BoardTarget(Target):
    """A real board at a pyserial URL: /dev/ttyACM0, rfc2217://host:port, socket://host:port.

    Its HELLO must be the one its profile (rig.boards) names: the board id and the protocol."""

    name = "board"
    description = f"a flashed board at --port URL (or ${PORT_ENV}): /dev/ttyACM0, rfc2217://, socket://"

    def __init__(self, port: str | None = None, profile: BoardProfile | str | None = None,
                 place: str | None = None, coordinator: str | None = None) -> None:
        """profile: a BoardProfile or its name; default $STRIDELAB_BOARD_PROFILE, else nucleo-f401re.
        place: a labgrid place (or comma-separated pool) to acquire for each run instead of a port
        (rig.farm); coordinator: labgrid's HOST:PORT (default $LG_COORDINATOR)."""
        for option, value, env in (("--port", port, PORT_ENV), ("--place", place, PLACE_ENV)):
            # an empty value (an unset shell variable: --port "$BOARD") must not fall back to the
            # environment's board, nor read as no board at all (every test skipped, a green run)
            if value is not None and not value.strip():
                raise RigError(f"{option} {value!r} is empty; give the board's "
                               f"{'link URL (/dev/ttyACM0, socket://HOST:PORT)' if option == '--port' else 'labgrid place'}, "
                               f"or leave {option} out to use ${env}")
        if port and place:
            raise RigError("give the board's --port or a labgrid --place, not both")
        for env in (PORT_ENV, PLACE_ENV):
            # set but blank (STRIDELAB_PORT=" " in a CI file): 'cannot open the link ' ': no such serial
            # port', naming neither the variable nor that it was blank
            value = os.environ.get(env)
            if value is not None and value and not value.strip() and not port and not place:
                raise RigError(f"${env}={value!r} is blank; set it to the board's "
                               f"{'link URL (/dev/ttyACM0, socket://HOST:PORT)' if env == PORT_ENV else 'labgrid place'}, "
                               f"or unset it and give --port URL (or --place NAME)")
        #: Whether the port is $STRIDELAB_PORT's (an error about it then names the variable).
        self.port_from_env = not port and not place and bool(os.environ.get(PORT_ENV))
        port = port or (None if place else os.environ.get(PORT_ENV))
        # labgrid's own convention: $LG_PLACE names the place when no port is given
        self.place = place or (None if port else os.environ.get(PLACE_ENV))
        self.coordinator = coordinator
        self._lease: PlaceLease | None = None
        #: The labgrid place the port belongs to, when someone else holds its lease (the pytest plugin).
        self.place_label: str | None = None
        self.port = port
        self.profile = profile if isinstance(profile, BoardProfile) else get_profile(profile)
        self.baud = self.profile.baud
        # a USB device comes back at the same path (/dev/serial/by-id/...); a network port that closed has ended
        self.reopen_s = REOPEN_S if self.port and is_local(self.port) else 0.0

    @classmethod
    def availability(cls) -> Availability:
        """Available when $STRIDELAB_PORT names a URL (scheme://) or an existing serial device, or
        $LG_PLACE a labgrid place (with labgrid installed)."""
        port = os.environ.get(PORT_ENV)
        if port and not port.strip():
            return Availability(False, f"${PORT_ENV}={port!r} is blank; set it to the board's link URL, or unset it")
        place = os.environ.get(PLACE_ENV)
        if not port and place and not place.strip():
            # it was 'labgrid is not installed' (or 'available' with labgrid), and every run refused it as blank
            return Availability(False, f"${PLACE_ENV}={place!r} is blank; set it to the board's labgrid place, or "
                                       "unset it")
        if not port and place:
            why = labgrid_missing()
            return Availability(False, why) if why else Availability(True)
        if not port:
            return Availability(False, f"no board port given: pass --port URL (or --place NAME) or set {PORT_ENV} "
                                       f"(or {PLACE_ENV})")
        if "://" not in port and not Path(port).exists():
            return Availability(False, f"serial port {port} does not exist (is the board plugged in?)")
        return Availability(True)

    def usable(self) -> Availability:
        """Trust a port given to the constructor; a place needs labgrid; else as availability() says."""
        if self.place:
            why = labgrid_missing()
            return Availability(False, why) if why else Availability(True)
        return Availability(True) if self.port else self.availability()

    def require(self) -> None:
        """TargetUnavailable as every target says it; then LinkError when the port is a device path that does
        not exist or is no serial device (naming the ports present), or a network URL whose server cannot be
        reached. Checked by start() only, a missing port was found after the run directory had been made (and
        the recording read, the scenario synthesized)."""
        super().require()
        self._check_port(reach=True)

    def _check_port(self, reach: bool) -> None:
        """LinkError naming --port (or $STRIDELAB_PORT) when the port is a device path that does not exist or is
        no serial device, or (reach) a network URL whose server cannot be reached or speaks no RFC 2217 (open_ahead:
        the connection made is the one the run's link takes, so nothing the server sends on connect is lost)."""
        if not self.place and self.port and (reach or is_local(self.port)):
            try:
                if is_local(self.port):
                    require_present(self.port)
                else:
                    open_ahead(self.port, self.baud)
            except LinkError as exc:
                if not self.port_from_env:
                    raise LinkError(f"--port {self.port}: {exc}") from None
                # 'cannot open the link '/dev/ttyACM7'' named a port the user never typed
                raise LinkError(f"${PORT_ENV}={self.port}: {exc}; set ${PORT_ENV} to the board's port, unset it, or "
                                "give --port URL") from None

    def start(self, run_dir: Path) -> str:
        """Return the board's port as the link URL; the flashed board already runs, so nothing is started.
        With a place: acquire it (held until stop()) and return its NetworkSerialPort's rfc2217:// URL.

        Raises RigError when a device path does not exist (naming the ports that do), or no place could be
        acquired (naming each and why). A network URL is not tried here: the link's own connection, next, is."""
        super().require()
        self._check_port(reach=False)
        if self.place:
            self._lease = PlaceLease.acquire(place_pool(self.place), self.coordinator)
            self.port = self._lease.url
            return self.port
        assert self.port is not None
        if is_local(self.port):
            require_present(self.port)
        return self.port

    def check_hello(self, hello: dict[str, Any]) -> None:
        """RigError unless the HELLO is the profile's (board id, protocol version)."""
        check_hello(self.profile, hello, str(self.port))

    def stop(self) -> str:
        """Leave the board running (nothing to stop), release its place if one was acquired; say so."""
        if self.port is None and self._lease is None:
            return "board: none was started (no port given, no place acquired)"
        if self.port and is_local(self.port) and os.path.exists(self.port) and not is_serial_device(self.port):
            return f"board: none was started ({self.port} is no serial port)"
        how = f"board at {self.port} left running"
        if self.port and is_local(self.port) and not os.path.exists(self.port):
            how += f" (no port at {self.port} now)"
        if self.place_label:
            how += f" (labgrid place {self.place_label})"
        if self._lease is not None:
            lease, self._lease = self._lease, None
            how += f" (labgrid place {lease.place}); {lease.release()}"
        return how
