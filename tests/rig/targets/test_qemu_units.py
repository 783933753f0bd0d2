"""Parts of the qemu target that need no QEMU: availability reasons, the bulk relay, the plugin option."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from rig import build
from rig.errors import RigError
from rig.targets import qemu as qemu_mod
from rig.targets.base import Availability
from rig.targets.qemu import InsnCount, QemuTarget
from rig.targets.qemu_relay import DOORBELL, LINK_CLOSED, BulkRelay


def test_missing_qemu_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qemu_mod, "missing_tools", lambda *tools: [t for t in tools if t == "qemu-system-arm"])
    avail = QemuTarget.availability()
    assert not avail.ok and "apt-get install qemu-system-arm" in avail.reason


def test_missing_arm_gcc_names_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "missing_tools", lambda *tools: [t for t in tools if t.startswith("arm-none-eabi")])
    avail = QemuTarget.availability()
    assert not avail.ok
    assert "arm-none-eabi-gcc" in avail.reason and "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi" in \
        avail.reason


def test_unknown_link_mode_is_refused() -> None:
    with pytest.raises(Exception, match="neither 'bulk' nor 'uart'"):
        QemuTarget(link="usb")


def test_link_mode_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(qemu_mod.LINK_ENV, "uart")
    assert QemuTarget().link == "uart" and QemuTarget(link="bulk").link == "bulk"
    monkeypatch.delenv(qemu_mod.LINK_ENV)
    assert QemuTarget().link == "bulk"


@pytest.mark.parametrize("value", ["UART", "serial", "bulk,uart"])
def test_a_link_mode_from_the_environment_that_names_none_is_named_as_the_variable(
        monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """STRIDELAB_QEMU_LINK=UART: rig list said qemu 'available', and every run was refused as "qemu target: link
    'UART' (argument or $STRIDELAB_QEMU_LINK) is neither 'bulk' nor 'uart'", with no word of what to do."""
    monkeypatch.setenv(qemu_mod.LINK_ENV, value)
    said = (f"$STRIDELAB_QEMU_LINK={value!r} is not a link of the qemu target; set it to one of: bulk, uart "
            "(default bulk), or unset it")
    with pytest.raises(RigError) as err:
        QemuTarget()
    assert str(err.value) == said
    assert QemuTarget.availability() == Availability(False, said)
    assert QemuTarget(link="bulk").link == "bulk"  # a link given outright is the link


def test_a_blank_link_mode_from_the_environment_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(qemu_mod.LINK_ENV, " ")
    assert QemuTarget().link == "bulk"
    monkeypatch.setenv(qemu_mod.LINK_ENV, " uart\n")
    assert QemuTarget().link == "uart"


def test_plugin_option_lists_window_addresses() -> None:
    arg = InsnCount(start=0x8000C80, stops=(0x8000520, 0x8000600)).plugin_arg(Path("p.so"), Path("o.txt"))
    assert arg == "p.so,out=o.txt,start=0x8000c80,stop=0x8000520,stop=0x8000600"
    assert InsnCount().plugin_arg(Path("p.so"), Path("o.txt")) == "p.so,out=o.txt"


def _recv_exactly(sock: socket.socket, n: int, timeout_s: float = 5.0) -> bytes:
    sock.settimeout(timeout_s)
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def test_bulk_relay_files_input_rings_and_forwards_answers(tmp_path: Path) -> None:
    """A stand-in for QEMU's USART2 server: the relay's whole contract, both directions and the close."""
    uart = socket.create_server(("127.0.0.1", 0))
    rx_file = tmp_path / "link_rx.bin"
    rx_file.write_bytes(b"")
    relay = BulkRelay(uart.getsockname()[1], rx_file, accept_timeout_s=5.0)
    try:
        rig = socket.create_connection(("127.0.0.1", relay.port), timeout=5.0)
        uart.settimeout(5.0)
        firmware, _ = uart.accept()
        firmware.sendall(b"boot\x00")  # as the firmware's boot HELLO: its USART is up
        assert _recv_exactly(rig, 5) == b"boot\x00"
        rig.sendall(b"frame-one\x00")
        assert _recv_exactly(firmware, 1) == DOORBELL
        assert rx_file.read_bytes() == b"frame-one\x00", "the bytes are in the file before the doorbell rings"
        firmware.sendall(b"answer\x00")
        assert _recv_exactly(rig, 7) == b"answer\x00"
        rig.close()
        assert _recv_exactly(firmware, 1) == LINK_CLOSED
        firmware.sendall(b"last words\x00")
        firmware.close()  # the emulation ends
        deadline = time.monotonic() + 5.0
        while relay._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not relay._thread.is_alive(), "the relay ends when QEMU closes"
        assert relay.error is None
    finally:
        relay.close()
        uart.close()


def test_bulk_relay_holds_the_doorbell_and_close_until_the_firmware_has_spoken(tmp_path: Path) -> None:
    """QEMU's USART drops a byte that comes before the firmware enabled it: what the relay owes USART2
    waits for the firmware's first byte, then goes in order (a link closed at once still ends the firmware)."""
    uart = socket.create_server(("127.0.0.1", 0))
    rx_file = tmp_path / "link_rx.bin"
    rx_file.write_bytes(b"")
    relay = BulkRelay(uart.getsockname()[1], rx_file, accept_timeout_s=5.0)
    try:
        rig = socket.create_connection(("127.0.0.1", relay.port), timeout=5.0)
        uart.settimeout(5.0)
        firmware, _ = uart.accept()
        rig.sendall(b"frame-one\x00")
        rig.close()
        firmware.settimeout(0.3)
        with pytest.raises(TimeoutError):
            firmware.recv(1)  # nothing yet: the USART may not be up
        firmware.sendall(b"boot\x00")
        assert _recv_exactly(firmware, 2) == DOORBELL + LINK_CLOSED
        assert rx_file.read_bytes() == b"frame-one\x00"
        firmware.close()
    finally:
        relay.close()
        uart.close()


def test_bulk_relay_reports_nobody_connecting(tmp_path: Path) -> None:
    relay = BulkRelay(1, tmp_path / "rx.bin", accept_timeout_s=0.2)
    relay._thread.join(5.0)
    assert relay.error is not None and "nobody connected to the link within 0.2 s" in relay.error
    relay.close()


class _SlowToMark:
    """A listening socket whose accept() returns only after a pause: the relay thread descheduled
    between taking the rig's connection off the backlog and marking it accepted."""

    def __init__(self, sock: socket.socket, taken: threading.Event) -> None:
        self._sock, self._taken = sock, taken

    def accept(self) -> tuple[socket.socket, Any]:
        got = self._sock.accept()
        self._taken.set()
        time.sleep(0.3)
        return got

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def test_a_rig_being_taken_off_the_backlog_is_not_nobody(tmp_path: Path) -> None:
    """stop() asks whether the rig ever connected: asked while the relay holds the connection but
    has not marked it yet, the answer is still yes (else QEMU is killed as never linked)."""
    uart = socket.create_server(("127.0.0.1", 0))
    relay = BulkRelay(uart.getsockname()[1], tmp_path / "rx.bin", accept_timeout_s=5.0)
    taken = threading.Event()
    relay._server = _SlowToMark(relay._server, taken)  # type: ignore[assignment]
    rig = socket.create_connection(("127.0.0.1", relay.port))
    try:
        assert taken.wait(5.0)
        assert relay.rig_came(5.0)
    finally:
        rig.close()
        relay.close()
        uart.close()


def test_bulk_relay_passes_on_the_output_fifo_before_usart2(tmp_path: Path) -> None:
    """Answers come through the FIFO; the fault handler's USART2 bytes, written after them (and
    after which the firmware writes nothing more), reach the rig after them whichever the relay
    sees first. The FIFO's name is gone once the firmware's first byte has come."""
    uart = socket.create_server(("127.0.0.1", 0))
    rx_file = tmp_path / "link_rx.bin"
    rx_file.write_bytes(b"")
    fifo = tmp_path / "link_tx.fifo"
    os.mkfifo(fifo)
    relay = BulkRelay(uart.getsockname()[1], rx_file, accept_timeout_s=5.0, tx_fifo=fifo)
    try:
        rig = socket.create_connection(("127.0.0.1", relay.port), timeout=5.0)
        uart.settimeout(5.0)
        firmware, _ = uart.accept()
        rig.sendall(b"frame-one\x00")
        out = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # does not wait: the relay reads it already
        os.write(out, b"hello\x00")  # the firmware's first answer: its USART is up, the doorbell may go
        assert _recv_exactly(firmware, 1) == DOORBELL
        assert _recv_exactly(rig, 6) == b"hello\x00"
        assert not fifo.exists(), "the firmware has its end open: the name goes, a SIGKILL leaves no FIFO"
        for round_ in range(20):
            answers = b"".join(b"answer %d.%d\x00" % (round_, i) for i in range(50))
            os.write(out, answers)
            firmware.sendall(b"fault %d\x00" % round_)  # at once: the relay may well see it first
            expected = answers + b"fault %d\x00" % round_
            assert _recv_exactly(rig, len(expected)) == expected
        os.close(out)
        firmware.close()  # the emulation ends
        relay._thread.join(5.0)
        assert not relay._thread.is_alive() and relay.error is None
    finally:
        relay.close()
        uart.close()
    assert not fifo.exists()


def test_mailbox_holds_the_output_path_after_the_input_path() -> None:
    flags = qemu_mod.EMU_BULK_RX | qemu_mod.EMU_BULK_TX
    box = qemu_mod.mailbox_bytes(flags, "/runs/a/link_rx.bin", tx_path="/runs/a/link_tx.fifo")
    assert box[16:16 + qemu_mod.MAILBOX_PATH_BYTES].rstrip(b"\0") == b"/runs/a/link_rx.bin\0/runs/a/link_tx.fifo"
    assert len(box) == 256
    with pytest.raises(Exception, match="the mailbox holds 232"):
        qemu_mod.mailbox_bytes(flags, "/r/" + "x" * 120, tx_path="/t/" + "y" * 120)
