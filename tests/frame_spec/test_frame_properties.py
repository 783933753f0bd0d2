"""Property tests of the Python frame decoder: whatever bytes arrive, only FrameError escapes,
and every valid frame decodes to what was encoded."""

from __future__ import annotations

import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frame_spec import FrameError, Message, MsgType, StreamDecoder, crc16, decode, encode
from frame_spec.envelope import parse_body
from frame_spec.messages import PROTOCOL_VERSION

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=600))
def test_decode_of_any_bytes_raises_only_frame_error(data: bytes) -> None:
    try:
        msg = decode(data)
    except FrameError:
        return
    assert isinstance(msg, Message)


@SETTINGS
@given(st.sampled_from(list(MsgType)), st.integers(0, 0xFFFF), st.binary(max_size=300))
def test_any_payload_with_a_valid_crc_raises_only_frame_error(msg_type: MsgType, seq: int, payload: bytes) -> None:
    """A frame that passes the CRC but whose payload is garbage (wrong length, bad enum, bad UTF-8)."""
    body = struct.pack("<BBHH", PROTOCOL_VERSION, int(msg_type), seq, len(payload)) + payload
    raw = body + struct.pack("<H", crc16(body))
    try:
        msg = parse_body(raw)
    except FrameError:
        return
    assert msg.type is msg_type and msg.seq == seq


@SETTINGS
@given(st.lists(st.binary(max_size=80), max_size=30))
def test_stream_decoder_yields_only_messages_and_frame_errors(chunks: list[bytes]) -> None:
    dec = StreamDecoder(max_frame_bytes=256)
    for chunk in chunks:
        for item in dec.feed(chunk):
            assert isinstance(item, (Message, FrameError))
    assert len(dec.pending) <= 256


_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40).filter(lambda s: len(s.encode()) <= 96)


@SETTINGS
@given(st.integers(0, 0xFFFF), _TEXT, st.integers(0, 3), st.binary(max_size=40))
def test_valid_frames_survive_garbage_around_them(seq: int, text: str, level: int, noise: bytes) -> None:
    """A valid frame after arbitrary noise and a delimiter decodes exactly."""
    frame = encode(MsgType.LOG, {"level": level, "text": text}, seq)
    dec = StreamDecoder()
    items = list(dec.feed(noise + b"\x00" + frame))
    assert isinstance(items[-1], Message), items[-1]
    assert items[-1].payload == {"level": level, "text": text} and items[-1].seq == seq
