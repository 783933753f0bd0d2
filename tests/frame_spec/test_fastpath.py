"""frame_spec.fastpath: the struct formats compiled from the construct definitions give the same
bytes and the same payloads as construct itself."""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np
import pytest
from construct import Enum
from hypothesis import given, settings
from hypothesis import strategies as st

from frame_spec import FrameError, MsgType, StreamDecoder, crc16, encode
from frame_spec import envelope
from frame_spec.envelope import Frame, encode_sample_batch, parse_body
from frame_spec.fastpath import FIXED, NotFixed, fixed_layout
from frame_spec.messages import MAX_BATCH_SAMPLES, PAYLOADS, PROTOCOL_VERSION, Log, SampleBatch

SETTINGS = settings(max_examples=200, deadline=None)

_RANGES = {"B": (0, 0xFF), "b": (-0x80, 0x7F), "H": (0, 0xFFFF), "h": (-0x8000, 0x7FFF), "L": (0, 0xFFFFFFFF),
           "l": (-0x80000000, 0x7FFFFFFF)}


def _value(data: st.DataObject, sc: Any, code: str) -> Any:
    if isinstance(sc, Enum):
        return data.draw(st.sampled_from(sorted(str(v) for v in sc.decmapping.values())))
    if code == "f":
        return data.draw(st.floats(width=32, allow_nan=False, allow_infinity=False))  # inf: a FrameError
    lo, hi = _RANGES[code]
    return data.draw(st.integers(lo, hi))


def _construct_parse(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as m:
        m.setattr(envelope, "_parse_fixed", lambda raw: None)
        return parse_body(raw)


def test_every_message_of_numbers_takes_the_fast_path() -> None:
    """Only the messages with variable or text fields are left to construct."""
    for mt, layout in PAYLOADS.items():
        try:
            fixed_layout(layout)
        except NotFixed:
            assert int(mt) not in FIXED, mt
        else:
            assert FIXED[int(mt)][0] is mt, mt
    numbers = {MsgType.CONFIG, MsgType.CMD, MsgType.ACK, MsgType.STRIDE, MsgType.SUMMARY, MsgType.STATUS, MsgType.FAULT}
    assert {int(t) for t in numbers} <= set(FIXED)
    assert not {int(MsgType.SAMPLE_BATCH), int(MsgType.HELLO), int(MsgType.LOG)} & set(FIXED)
    with pytest.raises(NotFixed):
        fixed_layout(Log)
    with pytest.raises(NotFixed):
        fixed_layout(SampleBatch)


@SETTINGS
@given(st.sampled_from(sorted(FIXED)), st.integers(0, 0xFFFF), st.data())
def test_fast_parse_equals_construct_parse(msg_type: int, seq: int, data: st.DataObject) -> None:
    mt, layout = FIXED[msg_type]
    payload = {rn.name: _value(data, rn.subcon, code)
               for rn, code in zip(PAYLOADS[mt].subcons, layout.fmt.format[1:])}
    raw = Frame.build({"body": {"value": {"version": PROTOCOL_VERSION, "type": mt.name, "seq": seq,
                                          "payload": payload}}})
    fast = envelope._parse_fixed(raw)
    assert fast is not None
    with pytest.MonkeyPatch.context() as m:
        slow = _construct_parse(raw, m)
    assert (fast.type, fast.seq, fast.version) == (slow.type, slow.seq, slow.version) == (mt, seq, PROTOCOL_VERSION)
    assert fast.payload.keys() == slow.payload.keys() == payload.keys()
    for k, v in slow.payload.items():
        assert fast.payload[k] == v or (isinstance(v, float) and math.isnan(v) and math.isnan(fast.payload[k])), k
        assert type(fast.payload[k]) is type(v), k


def test_an_unknown_enum_value_parses_as_its_number_and_is_refused_on_both_paths() -> None:
    mt, layout = FIXED[int(MsgType.CMD)]
    body = struct.pack("<BBHH", PROTOCOL_VERSION, int(mt), 7, layout.fmt.size) + bytes([0xEE])
    raw = body + struct.pack("<H", crc16(body))
    fast = envelope._parse_fixed(raw)
    assert fast is not None and fast.payload == {"op": 0xEE}
    with pytest.raises(FrameError, match="CMD op: 238 is not one of HELLO, END"):
        parse_body(raw)
    with pytest.MonkeyPatch.context() as m, pytest.raises(FrameError, match="CMD op: 238 is not one of HELLO, END"):
        _construct_parse(raw, m)


@pytest.mark.parametrize("delta", [-1, 1])
def test_a_payload_of_another_length_is_left_to_construct(delta: int) -> None:
    """construct says what is wrong with it; the fast path never guesses."""
    mt, layout = FIXED[int(MsgType.ACK)]
    payload = bytes(layout.fmt.size + delta)
    body = struct.pack("<BBHH", PROTOCOL_VERSION, int(mt), 1, len(payload)) + payload
    raw = body + struct.pack("<H", crc16(body))
    assert envelope._parse_fixed(raw) is None


@SETTINGS
@given(st.integers(0, 0xFFFF), st.integers(0, 0xFFFFFFFF), st.integers(0, MAX_BATCH_SAMPLES), st.data())
def test_fast_sample_batch_equals_construct_build(seq: int, first_index: int, n: int, data: st.DataObject) -> None:
    counts = np.array(data.draw(st.lists(st.lists(st.integers(-0x8000, 0x7FFF), min_size=6, max_size=6),
                                         min_size=n, max_size=n)), dtype=np.int16).reshape(n, 6)
    names = ("ax", "ay", "az", "gx", "gy", "gz")
    slow = encode(MsgType.SAMPLE_BATCH, {"first_index": first_index,
                                         "samples": [dict(zip(names, map(int, r))) for r in counts]}, seq)
    assert encode_sample_batch(seq, first_index, counts) == slow
    # columns in another order are found by name
    order = (3, 0, 5, 1, 4, 2)
    assert encode_sample_batch(seq, first_index, counts[:, order], tuple(names[i] for i in order)) == slow


def _outcomes(chunks: list[bytes]) -> tuple[list[Any], tuple[int, ...], bytes]:
    dec = StreamDecoder(max_frame_bytes=64)
    out: list[Any] = []
    for chunk in chunks:
        for item in dec.feed(chunk):
            out.append(("err", item.reason, item.raw) if isinstance(item, FrameError)
                       else ("msg", item.type, item.seq, item.payload, item.repeat))
    return out, (dec.gaps, dec.restarts, dec.repeats, dec.bad_frames), dec.pending


_FRAMES = st.one_of(
    st.builds(lambda seq, acked: encode(MsgType.ACK, {"acked_seq": acked, "status": 0, "session": 5}, seq),
              st.integers(0, 6), st.integers(0, 0xFFFF)),
    st.binary(max_size=150),  # garbage, over-long runs without a delimiter, stray zeros
)


@SETTINGS
@given(st.lists(_FRAMES, max_size=12), st.lists(st.integers(0, 2000), max_size=8))
def test_the_stream_decoder_gives_the_same_answers_however_the_bytes_are_split(frames: list[bytes],
                                                                              cuts: list[int]) -> None:
    """Bytes split at delimiters in bulk read exactly as one byte at a time."""
    data = b"".join(frames)
    one_by_one = _outcomes([data[i:i + 1] for i in range(len(data))])
    marks = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    assert _outcomes([data]) == one_by_one
    assert _outcomes([data[a:b] for a, b in zip(marks, marks[1:])]) == one_by_one
