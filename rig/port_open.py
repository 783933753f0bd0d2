"""Opening a link's port: keeping what the peer sent before it was open, closing it at once, and a
network port (socket://, rfc2217://) opened before any work and handed to the run's link.

A network board's server is checked before a run directory is made (a refused port was found only
when the link opened). That check is the run's own connection, not a probe: a server that boots its
device on its first client (QEMU's `-serial tcp:...,server=on,wait=on`) sent the boot messages to a
probe that closed at once, and the run's link, connecting next, never saw them. An RFC 2217 port is
opened with its negotiation, so a server that accepts TCP but speaks no RFC 2217 is told before any
work too. The open port waits for the link (`take_ahead`); the kernel (or pyserial's reader thread)
keeps what arrives meanwhile.
"""

from __future__ import annotations

import socket

import serial
from serial.urlhandler.protocol_socket import Serial as SocketSerial

from rig.errors import LinkError
from rig.serial_ports import check_network_url, is_local, url_scheme

#: Network ports opened by open_ahead that no link has taken yet, by URL.
_AHEAD: dict[str, serial.SerialBase] = {}


def open_keeping_input(url: str, baud: int) -> serial.SerialBase:
    """Open a pyserial URL without the input flush that pyserial's open() does.

    That flush would silently discard what the firmware sent before the port
    was open (its boot HELLO, or anything a peer sent at once on connect);
    every byte that reaches the rig must land in the capture instead."""
    port = serial.serial_for_url(url, baudrate=baud, timeout=0.05, do_not_open=True)
    if is_local(url):
        port.exclusive = True  # an advisory lock: a second rig on the same board is told, not interleaved
    # The POSIX class flushes through _reset_input_buffer, the others through the public name.
    flushes = [name for name in ("reset_input_buffer", "_reset_input_buffer") if hasattr(port, name)]
    for name in flushes:
        setattr(port, name, lambda: None)
    try:
        port.open()
    finally:
        for name in flushes:
            delattr(port, name)  # the class's own method again
    return port


def close_port(port: serial.SerialBase) -> None:
    """Close the port at once.

    pyserial's socket:// close() sleeps 0.3 s after closing ("give the server some
    time" for a quick reconnect); nothing here reconnects to the same server, so the
    socket is shut down and closed here and the port marked closed without that sleep."""
    sock = getattr(port, "_socket", None) if isinstance(port, SocketSerial) else None
    if sock is None:
        port.close()
        return
    port._socket = None
    port.is_open = False
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the peer has gone already
    sock.close()


def _host_port(url: str) -> tuple[str, str]:
    """(host, port) of a socket:// or rfc2217:// URL check_network_url passed ([::1] without brackets)."""
    host, _, port = url.partition("://")[2].split("?", 1)[0].split("/", 1)[0].rpartition(":")
    return (host[1:-1] if host.startswith("[") and host.endswith("]") else host), port


def _why(exc: Exception, url: str) -> str:
    """What kept the server of url from being reached, from pyserial's error (whose cause is its context)."""
    host, port = _host_port(url)
    where = f"{host}:{port}"
    cause = exc.__context__ if isinstance(exc, serial.SerialException) and exc.__context__ is not None else exc
    if isinstance(cause, socket.gaierror):
        return f"the host {host!r} has no address ({cause.strerror})"
    if isinstance(cause, ConnectionRefusedError):
        return f"nothing listens at {where} (connection refused)"
    if isinstance(cause, TimeoutError):
        return f"{where} did not accept a connection within 5 s"
    if isinstance(cause, OSError):
        return f"{where}: {cause.strerror or cause}"
    return f"{where}: {cause}"


def open_ahead(url: str, baud: int) -> None:
    """Open the socket:// or rfc2217:// port at url now (an RFC 2217 one with its negotiation, at baud) and keep
    it for the run's link (take_ahead); LinkError naming why when its server cannot be reached (no address,
    connection refused, no accept within 5 s) or speaks no RFC 2217 (no answer to the negotiation within its
    timeout, 3 s unless the URL says). A port this opened before for url and no link took is closed first.
    Other URLs and device paths pass."""
    check_network_url(url)
    scheme = url_scheme(url)
    if is_local(url) or scheme not in ("socket", "rfc2217"):
        return
    close_ahead(url)
    try:
        port = open_keeping_input(url, baud)
    except (serial.SerialException, ValueError, OSError) as exc:
        if scheme == "rfc2217" and "does not seem to support RFC2217" in str(exc):
            host, number = _host_port(url)
            raise LinkError(f"cannot open the link {url!r}: {host}:{number} accepts a connection but does not "
                            "answer RFC 2217's negotiation; give the port of an RFC 2217 server (ser2net's "
                            "telnet(rfc2217) accepter), or socket://HOST:PORT for a raw TCP port") from None
        if scheme == "rfc2217" and "does not accept parameter change" in str(exc):
            raise LinkError(f"cannot open the link {url!r}: its RFC 2217 server does not take the line settings "
                            f"({baud} baud, 8N1); check the server's serial device and its settings") from None
        raise LinkError(f"cannot open the link {url!r}: {_why(exc, url)}; check that the board's server (ser2net, "
                        "an emulator) runs there, or give the HOST:PORT it listens on") from None
    _AHEAD[url] = port


def take_ahead(url: str, baud: int) -> serial.SerialBase | None:
    """The port open_ahead opened for url, now the caller's (at baud), or None when there is none."""
    port = _AHEAD.pop(url, None)
    if port is not None and port.baudrate != baud:
        port.baudrate = baud
    return port


def close_ahead(url: str | None = None) -> None:
    """Close the port open_ahead opened for url (every such port: None) that no link took."""
    for key in [url] if url is not None else list(_AHEAD):
        port = _AHEAD.pop(key, None) if key is not None else None
        if port is not None:
            try:
                close_port(port)
            except (serial.SerialException, OSError):
                pass  # its peer has gone: nothing is left to close
