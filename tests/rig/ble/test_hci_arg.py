"""The `--hci` option of `rig ble`: what the rig says when the controller it names cannot be opened."""

from __future__ import annotations

import argparse

import pytest

from rig.ble.hci_arg import hci_arg, open_failed_hint


def test_a_usb_dongle_that_does_not_answer_gets_the_steps_not_the_syntax() -> None:
    # `--hci usb:0` with no dongle said "give `virtual` or a Bumble transport such as usb:0": what was given
    for hci in ("usb:0", "usb:0BDA:8771"):
        hint = open_failed_hint(hci)
        assert "such as usb:0" not in hint
        assert "bumble-usb-probe" in hint and "systemctl stop bluetooth" in hint


def test_another_transport_gets_the_syntax() -> None:
    assert "give `virtual` or a Bumble transport such as usb:0" == open_failed_hint("bogus:1")


@pytest.mark.parametrize("hci, where", [
    ("android-netsim:0.0.0.0:8877,mode=controller", "on every interface"),
    ("android-netsim:_:8877,mode=controller", "on every interface"),  # Bumble's documented 'all interfaces'
    ("android-netsim:[::]:8877,mode=controller", "on every interface"),
    ("android-netsim:192.168.1.5:8877,mode=controller", "on '192.168.1.5'"),
])
def test_a_netsim_controller_beyond_loopback_is_refused(hci: str, where: str) -> None:
    """--hci android-netsim:0.0.0.0:8877,mode=controller passed the check of listening transports: in
    controller mode Bumble serves gRPC on the host given, every interface here, once the firmware ran."""
    with pytest.raises(argparse.ArgumentTypeError) as err:
        hci_arg(hci)
    assert str(err.value) == (f"{hci!r} would listen {where} (mode=controller serves gRPC); the rig listens on "
                              "loopback only: give android-netsim:127.0.0.1:PORT,mode=controller")


@pytest.mark.parametrize("hci", ["android-netsim:127.0.0.1:8877,mode=controller", "android-netsim:localhost:8555",
                                 "android-netsim:name=bumble1", "android-netsim:"])
def test_a_netsim_host_or_a_loopback_controller_is_taken(hci: str) -> None:
    assert hci_arg(hci) == hci
