"""The `--hci` option of `rig ble`, checked before the firmware starts (no Bumble import needed).

Bumble names a controller by a transport string, `scheme:parameters`. Transports that listen
(`tcp-server`, `ws-server`, `udp`) would open a socket; the rig opens sockets on loopback only, so
their listening host must be a loopback address (`_` or `0.0.0.0` would listen on every interface).
"""

from __future__ import annotations

import argparse
import ipaddress

#: Bumble transports that open a listening socket, by scheme.
LISTENING_SCHEMES = ("tcp-server", "ws-server", "udp")


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
