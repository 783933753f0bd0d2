"""The phone app's own command line (python -m rig.ble.phone): its --hci is checked as rig ble's is."""

from __future__ import annotations

import pytest

pytest.importorskip("bumble")

from rig.ble import phone  # noqa: E402 - after the skip: Bumble is an extra
from rig.ble.phone import main  # noqa: E402


@pytest.mark.parametrize("hci, words", [
    # it opened a server socket on every interface and waited there for a controller
    ("tcp-server:0.0.0.0:9899", ("would listen on every interface",)),
    ("udp:192.168.1.2:9000,127.0.0.1:9001", ("would listen on '192.168.1.2'",)),
    # opened as a transport Bumble does not know: 'unknown transport scheme'
    ("virtual", ("'virtual' is rig ble's own link", "tcp-client:127.0.0.1:PORT")),
])
def test_a_transport_rig_ble_refuses_is_refused(hci: str, words: tuple[str, ...],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--hci", hci, "--timeout-s", "1"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, err


def test_a_controller_that_cannot_be_opened_is_named(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # usb:0 with no dongle ended in a traceback, exit 1: usb1.USBErrorOther (LIBUSB_ERROR_OTHER), no OSError
    class USBErrorOther(Exception):
        pass

    async def no_dongle(hci: str) -> object:
        raise USBErrorOther("LIBUSB_ERROR_OTHER [-99]")

    monkeypatch.setattr(phone, "open_transport", no_dongle)
    assert main(["--hci", "usb:0", "--timeout-s", "5"]) == 2
    err = capsys.readouterr().err
    assert "phone: --hci usb:0: cannot open this Bluetooth controller (LIBUSB_ERROR_OTHER [-99]); " in err, err
    assert "bumble-usb-probe" in err, err


@pytest.mark.parametrize("argv", [
    ["--hci", "tcp-client:127.0.0.1:9000", "--hci", "usb:0"],
    ["--hci", "usb:0", "--timeout-s", "5", "--timeout-s", "60"],
    ["--hci", "usb:0", "--set-distance-m", "1000", "--set-distance-m", "0"],
])
def test_an_option_given_twice_is_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    # the last of the two was taken without a word (rig ble's own options refuse it)
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "given twice" in capsys.readouterr().err
