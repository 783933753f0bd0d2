"""The `--hci` option of `rig ble`: what the rig says when the controller it names cannot be opened."""

from __future__ import annotations

from rig.ble.hci_arg import open_failed_hint


def test_a_usb_dongle_that_does_not_answer_gets_the_steps_not_the_syntax() -> None:
    # `--hci usb:0` with no dongle said "give `virtual` or a Bumble transport such as usb:0": what was given
    for hci in ("usb:0", "usb:0BDA:8771"):
        hint = open_failed_hint(hci)
        assert "such as usb:0" not in hint
        assert "bumble-usb-probe" in hint and "systemctl stop bluetooth" in hint


def test_another_transport_gets_the_syntax() -> None:
    assert "give `virtual` or a Bumble transport such as usb:0" == open_failed_hint("bogus:1")
