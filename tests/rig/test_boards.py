"""Board profiles: the HELLO a profile accepts and what a port that sent no HELLO is said to have sent."""

from __future__ import annotations

import pytest

from cobs import cobs

from frame_spec.envelope import Frame, StreamDecoder, encode
from frame_spec.messages import MsgType
from rig.boards import HOST_PTY, NUCLEO_F401RE, PROFILES, check_hello, describe_answer, get_profile
from rig.errors import RigError

HELLO = {"protocol": 2, "fw_major": 0, "fw_minor": 1, "fw_patch": 0, "max_batch": 32, "rx_buffer_bytes": 2048,
         "board": "stm32f4"}


def test_the_reference_board_profile() -> None:
    p = get_profile("nucleo-f401re")
    assert p is NUCLEO_F401RE and p.baud == 115200 and p.board_ids == ("stm32f4",) and p.protocol == 2
    assert "make -C firmware_c flash" in p.flash and "st-flash reset" in p.reset


def test_unknown_profile_lists_the_choices() -> None:
    with pytest.raises(RigError, match=r"'nucleo' \(--board-profile\) is unknown; choose one of: " + ", ".join(PROFILES)):
        get_profile("nucleo")


def test_an_unknown_profile_from_the_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """STRIDELAB_BOARD_PROFILE=bogus said only "board profile 'bogus' is unknown": no --board-profile
    had been given, and nothing named where the name came from."""
    monkeypatch.setenv("STRIDELAB_BOARD_PROFILE", "bogus")
    with pytest.raises(RigError, match=r"'bogus' \(\$STRIDELAB_BOARD_PROFILE\) is unknown; choose one of: .*, or "
                                       "unset STRIDELAB_BOARD_PROFILE"):
        get_profile()


def test_the_profile_s_hello_passes() -> None:
    check_hello(NUCLEO_F401RE, HELLO, "/dev/ttyACM0")
    check_hello(HOST_PTY, dict(HELLO, board="host"), "/dev/pts/3")


@pytest.mark.parametrize("change, words", [
    ({"board": "host"}, ("board 'host'", "expects board 'stm32f4'", "make -C firmware_c flash")),
    ({"protocol": 1}, ("protocol 1", "protocol 2", "another firmware")),
])
def test_another_firmware_s_hello_is_refused(change: dict[str, object], words: tuple[str, ...]) -> None:
    with pytest.raises(RigError) as err:
        check_hello(NUCLEO_F401RE, dict(HELLO, **change), "/dev/ttyACM0")
    for w in words:
        assert w in str(err.value)
    assert "/dev/ttyACM0" in str(err.value)


def _errors(data: bytes) -> list:
    return [e for e in StreamDecoder().feed(data) if not hasattr(e, "type")]


def test_describe_nothing_text_bootloader_and_noise() -> None:
    assert "nothing at all" in describe_answer(b"", [])
    assert "text came back" in describe_answer(b"U-Boot 2024.01\r\n=> ", [])
    assert "system bootloader" in describe_answer(b"\x1f\x1f\x79", [])
    noise = bytes(range(1, 40)) * 3
    assert "no frame of this link" in describe_answer(noise, _errors(noise))


def test_describe_frames_of_another_protocol_version() -> None:
    body = Frame.build({"body": {"value": {"version": 1, "type": "HELLO", "seq": 0, "payload": HELLO}}})
    frame = cobs.encode(body) + b"\x00"
    text = describe_answer(frame, _errors(frame))
    assert "another protocol" in text and "protocol version 1" in text


def test_the_rigs_own_frames_echoed_back_are_named_a_loopback() -> None:
    """A loop:// port (or TX wired to RX) gives back the rig's CMD HELLO: valid frames of this link,
    not 'bytes that are no frame'."""
    echo = b"".join(encode(MsgType.CMD, {"op": "HELLO"}, seq) for seq in range(3))
    said = describe_answer(echo, [])
    assert "the rig's own frames came back (CMD HELLO)" in said and "loop://" in said
    assert "no frame of this link" not in said
    hello = encode(MsgType.HELLO, HELLO, 0)
    assert "own frames" not in describe_answer(echo + hello, [])
