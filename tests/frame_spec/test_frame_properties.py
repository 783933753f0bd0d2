"""Property tests of the Python frame decoder: whatever bytes arrive, only FrameError escapes,
and every valid frame decodes to what was encoded."""

from __future__ import annotations

import math
import re
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frame_spec import FrameError, Message, MsgType, StreamDecoder, crc16, decode, encode
from frame_spec.envelope import build_body, parse_body
from frame_spec.fastpath import FIXED
from frame_spec.golden import vectors as golden_vectors
from frame_spec.limits import payload_problem
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


def _same(a: object, b: object) -> bool:
    """Equal, NaN equal to NaN (a float field that was not measured)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _has_nan(value: object) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    return isinstance(value, list) and any(_has_nan(v) for v in value)


def _payloads(msg_type: MsgType) -> st.SearchStrategy[bytes]:
    """Any bytes, and bytes of exactly the message's fixed length (which reach the field checks)."""
    size = FIXED[int(msg_type)][1].fmt.size if int(msg_type) in FIXED else 5
    return st.one_of(st.binary(max_size=420), st.binary(min_size=size, max_size=size))


@SETTINGS
@given(st.sampled_from(list(MsgType)).flatmap(lambda t: st.tuples(st.just(t), _payloads(t))), st.integers(0, 0xFFFF))
def test_an_accepted_frame_is_exactly_what_the_protocol_allows(typed: tuple[MsgType, bytes], seq: int) -> None:
    """Any payload behind a valid CRC: either a FrameError, or a frame that keeps every limit of the
    protocol (enum values named, variable fields within ARRAY_MAX, floats finite or NaN) and that
    encodes back to the very bytes received: nothing corrupt is accepted silently."""
    msg_type, payload = typed
    body = struct.pack("<BBHH", PROTOCOL_VERSION, int(msg_type), seq, len(payload)) + payload
    raw = body + struct.pack("<H", crc16(body))
    try:
        msg = parse_body(raw)
    except FrameError:
        return
    assert payload_problem(msg.type, msg.payload) is None
    again = build_body(msg.type, msg.payload, msg.seq)
    assert _same(parse_body(again).payload, msg.payload)
    assert again == raw or (_has_nan(msg.payload) and len(again) == len(raw))


_STRIDE = struct.Struct("<III12fBBB")


@pytest.mark.parametrize(("msg_type", "payload", "said"), [
    (MsgType.STRIDE, _STRIDE.pack(0, 1000, 2000, *[1.0] * 12, 9, 1, 0), "STRIDE strike: 9 is not one of"),
    (MsgType.STRIDE, _STRIDE.pack(0, 1000, 2000, *[1.0] * 12, 1, 7, 0), "STRIDE activity: 7 is not one of"),
    (MsgType.STRIDE, _STRIDE.pack(0, 1000, 2000, math.inf, *[1.0] * 11, 1, 1, 0), "STRIDE gct_ms: inf is not a measurement"),
    (MsgType.SUMMARY, struct.pack("<I8fI", 3, -math.inf, *[1.0] * 7, 0), "SUMMARY distance_m: -inf"),
    (MsgType.STATUS, struct.pack("<IIIIHHHB", 1, 2, 3, 4, 5, 6, 7, 99), "STATUS mode: 99"),
    (MsgType.LOG, b"\x01" + b"a" * 97, "LOG text: 97 bytes of text, more than the 96"),
    (MsgType.GATT_VALUE, b"\x53\x2a" + b"\x01" * 21, "GATT_VALUE value: 21 bytes, more than the 20"),
    (MsgType.RSC_MEASUREMENT, b"\x00" * 4 + b"\x01" * 21, "RSC_MEASUREMENT value: 21 bytes"),
    (MsgType.RAW_BATCH, struct.pack("<IB", 0, 33) + b"\x01" * 12 * 33, "RAW_BATCH samples: 33 samples, more than the 32"),
])
def test_a_frame_beyond_the_protocol_is_a_frame_error_naming_the_field(msg_type: MsgType, payload: bytes,
                                                                       said: str) -> None:
    body = struct.pack("<BBHH", PROTOCOL_VERSION, int(msg_type), 7, len(payload)) + payload
    with pytest.raises(FrameError, match=re.escape(said)):
        parse_body(body + struct.pack("<H", crc16(body)))


def test_a_fault_with_a_reason_this_rig_does_not_know_is_still_a_crash_report() -> None:
    payload = struct.pack("<BIIIII", 77, 0x08000101, 2, 3, 4, 5)
    body = struct.pack("<BBHH", PROTOCOL_VERSION, int(MsgType.FAULT), 7, len(payload)) + payload
    msg = parse_body(body + struct.pack("<H", crc16(body)))
    assert msg.type is MsgType.FAULT and msg.payload["reason"] == 77 and msg.payload["pc"] == 0x08000101


def test_frames_at_the_limits_are_accepted() -> None:
    assert decode(encode(MsgType.LOG, {"level": 1, "text": "é" * 48}, 1)[:-1]).payload["text"] == "é" * 48
    nan = decode(encode(MsgType.SUMMARY, {"strides": 0, "distance_m": math.nan, "duration_s": 0.0, "avg_pace_s_per_km": 0.0,
                                          "avg_cadence_spm": 0.0, "still_s": 0.0, "walk_s": 0.0, "run_s": 0.0,
                                          "stairs_s": 0.0, "dropped_samples": 0}, 2)[:-1])
    assert math.isnan(nan.payload["distance_m"])


@pytest.mark.parametrize(("declared", "held"), [(0xFFFF, 40), (0, 3), (41, 40)])
def test_a_length_field_that_disagrees_with_the_frame_is_named(declared: int, held: int) -> None:
    """A length field at its maximum over a 40-byte payload read as 'malformed frame: Error in path
    (parsing) -> body -> payload'."""
    body = struct.pack("<BBHH", PROTOCOL_VERSION, int(MsgType.LOG), 3, declared) + b"\x01" * held
    with pytest.raises(FrameError, match=rf"length field says a payload of {declared} bytes, the frame holds {held} "):
        parse_body(body + struct.pack("<H", crc16(body)))


#: One valid wire frame of every message the golden vectors hold.
_VECTOR_FRAMES = [encode(MsgType[v["type"]], v["payload"], v["seq"]) for v in golden_vectors()]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=700), st.sampled_from(_VECTOR_FRAMES), st.lists(st.integers(1, 64), max_size=40),
       st.sampled_from([64, 256, 1024]))
def test_a_valid_frame_after_any_noise_is_never_lost(noise: bytes, frame: bytes, cuts: list[int],
                                                     max_frame_bytes: int) -> None:
    """Any bytes (a device's garbage, a frame cut short, a run over the longest frame), then a
    delimiter and a valid frame, delivered in any chunks: the decoder yields only Messages and
    FrameErrors, and the frame after the delimiter comes out whole, last."""
    stream = noise + b"\x00" + frame
    dec = StreamDecoder(max_frame_bytes=max(max_frame_bytes, len(frame)))
    items: list[Message | FrameError] = []
    at = 0
    for cut in cuts + [len(stream)]:
        chunk, at = stream[at:at + cut], at + cut
        items += list(dec.feed(chunk))
    items += list(dec.feed(stream[at:]))
    assert all(isinstance(item, (Message, FrameError)) for item in items)
    last = items[-1]
    assert isinstance(last, Message), last
    want = decode(frame[:-1])
    assert (last.type, last.seq) == (want.type, want.seq) and _same(last.payload, want.payload)
    assert dec.pending == b""


@pytest.mark.parametrize("type_byte", [0x00, 0x06, 0x1A, 0x7E, 0xFF])
def test_a_frame_of_an_unknown_message_type_is_named_as_such(type_byte: int) -> None:
    """A valid CRC over a type no message has was refused as 'malformed frame: Error in path
    (parsing) -> body -> payload', which names neither the type nor what is wrong."""
    body = struct.pack("<BBHH", PROTOCOL_VERSION, type_byte, 5, 10) + b"\x01" * 10
    with pytest.raises(FrameError, match=rf"^unknown message type 0x{type_byte:02x}: no message of protocol "):
        parse_body(body + struct.pack("<H", crc16(body)))
