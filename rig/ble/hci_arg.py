"""The `--hci` option of `rig ble`, checked before the firmware starts (no Bumble import needed).

Bumble names a controller by a transport string, `scheme:parameters` (an optional `[key=value,...]`
metadata section before or after the parameters). The scheme must be one Bumble opens, with the
parameters it needs (a `HOST:PORT` for the socket transports, a port in 1..65535): a scheme Bumble
does not know (`bogus`) or a transport without its parameters was refused only once the firmware was
running. Transports that listen (`tcp-server`, `ws-server`, `udp`, `android-netsim` with mode=controller)
would open a socket; the rig opens sockets on loopback only, so their listening host must be a loopback
address (`_` or `0.0.0.0` would listen on every interface).
"""

from __future__ import annotations

import argparse
import ipaddress
import re

#: Bumble transports that open a listening socket, by scheme.
LISTENING_SCHEMES = ("tcp-server", "ws-server", "udp")

#: Bumble's transport schemes (bumble.transport.open_transport) and what each needs after the colon:
#: an example of its parameters, or None where they may be left out.
SCHEMES: dict[str, str | None] = {
    "usb": "usb:0", "pyusb": "pyusb:0", "serial": "serial:/dev/ttyUSB0,1000000",
    "tcp-client": "tcp-client:127.0.0.1:9000", "tcp-server": "tcp-server:127.0.0.1:9000",
    "ws-client": "ws-client:ws://127.0.0.1:9000", "ws-server": "ws-server:127.0.0.1:9000",
    "udp": "udp:127.0.0.1:9000,127.0.0.1:9001", "file": "file:/dev/ttyX",
    "unix": "unix:/tmp/hci.sock", "unix-client": "unix-client:/tmp/hci.sock", "unix-server": "unix-server:/tmp/hci.sock",
    "pty": None, "vhci": None, "hci-socket": None, "android-emulator": None, "android-netsim": None,
}

#: Bumble's metadata section of a transport string.
_METADATA = re.compile(r"\[(\w+=[^,\]]+(?:,\w+=[^,\]]+)*,?)\]")

#: Schemes whose parameters start with HOST:PORT (udp: the local one, then a comma and the remote one).
_HOST_PORT = ("tcp-client", "tcp-server", "ws-server", "udp")


def _host_port(scheme: str, part: str, text: str) -> None:
    """Refuse a HOST:PORT part of a socket transport without a host or a port in 1..65535."""
    host, colon, port = part.rpartition(":")
    if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r}: {scheme} takes HOST:PORT with a port in 1..65535 (got {part!r}); e.g. {SCHEMES[scheme]}")


def is_loopback(host: str) -> bool:
    """True when host names the loopback interface (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def hci_arg(text: str) -> str:
    """argparse type of --hci: `virtual` or a Bumble transport; a listening one only on loopback."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty transport; give `virtual` or a Bumble transport such as usb:0")
    scheme, _, params = text.partition(":")
    if text == "virtual":
        return text
    if scheme not in SCHEMES:
        raise argparse.ArgumentTypeError(
            f"{text!r}: {scheme!r} is no Bumble transport; give `virtual`, or one of "
            f"{', '.join(sorted(SCHEMES))} with its parameters (e.g. usb:0, tcp-client:127.0.0.1:9000)")
    spec = _METADATA.sub("", params, count=1).strip()
    example = SCHEMES[scheme]
    if example is not None and not spec:
        raise argparse.ArgumentTypeError(f"{text!r}: the {scheme} transport needs its parameters, e.g. {example}")
    if scheme in _HOST_PORT:
        for part in spec.split(",")[: 2 if scheme == "udp" else 1]:
            _host_port(scheme, part, text)
        if scheme == "udp" and "," not in spec:
            raise argparse.ArgumentTypeError(f"{text!r}: udp takes the local HOST:PORT, a comma and the remote "
                                             f"HOST:PORT; e.g. {example}")
    if scheme == "android-netsim" and "mode=controller" in [p.strip() for p in spec.split(",")]:
        # a netsim controller serves gRPC: it listens, on the host given ('_': every interface, as Bumble says)
        host, colon, port = spec.split(",")[0].rpartition(":")
        if not colon or not port.isdigit() or not is_loopback(host):
            where = "on every interface" if host in ("", "_", "0.0.0.0", "::", "[::]") else f"on {host!r}"
            raise argparse.ArgumentTypeError(
                f"{text!r} would listen {where} (mode=controller serves gRPC); the rig listens on loopback only: "
                "give android-netsim:127.0.0.1:PORT,mode=controller")
    if scheme in LISTENING_SCHEMES:
        host = params.split(",")[0].rpartition(":")[0]
        if not is_loopback(host):
            where = f"on {host!r}" if host not in ("", "_", "0.0.0.0", "::", "[::]") else "on every interface"
            raise argparse.ArgumentTypeError(
                f"{text!r} would listen {where}; the rig listens on loopback only: give "
                f"{scheme}:127.0.0.1:PORT")
    return text


def open_failed_hint(hci: str) -> str:
    """What to do when Bumble could not open the controller hci names (after the reason Bumble gave)."""
    if hci.partition(":")[0] == "usb":
        # the transport is right; what is missing is a dongle Bumble may drive
        return ("no USB Bluetooth LE dongle Bumble can drive answers there: plug one in, keep BlueZ off it "
                "(`systemctl stop bluetooth`), run as root or give your user the USB device; "
                "`bumble-usb-probe` lists the dongles Bumble sees and their names (usb:N, usb:VID:PID)")
    return "give `virtual` or a Bumble transport such as usb:0"
