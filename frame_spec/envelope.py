"""The frame envelope: header, payload, CRC, and the COBS byte stuffing around it."""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from typing import Any, Iterator

from cobs import cobs
from construct import (
    Checksum,
    ConstructError,
    Enum,
    FocusedSeq,
    Int8ul,
    Int16ul,
    Prefixed,
    RawCopy,
    Struct,
    Switch,
    Terminated,
    this,
)

import numpy as np

from frame_spec import fastpath
from frame_spec.limits import payload_problem
from frame_spec.messages import PAYLOADS, PROTOCOL_VERSION, MsgType

DELIMITER = b"\x00"
HEADER_BYTES = 6  # version, type, seq, payload length
CRC_BYTES = 2


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE of data (poly 0x1021, init 0xFFFF, no reflection)."""
    return binascii.crc_hqx(data, 0xFFFF)


Body = Struct(
    "version" / Int8ul,
    "type" / Enum(Int8ul, MsgType),
    "seq" / Int16ul,
    "payload"
    / Prefixed(
        Int16ul,
        FocusedSeq("msg", "msg" / Switch(this._.type, {t.name: s for t, s in PAYLOADS.items()}), Terminated),
    ),
)

Frame = Struct(
    "body" / RawCopy(Body),
    "crc" / Checksum(Int16ul, crc16, this.body.data),
    Terminated,
)


#: The type byte of every message of this protocol.
_TYPE_VALUES = frozenset(int(t) for t in MsgType)

#: The header and CRC as struct formats (frame_spec.fastpath), for the frames that take the fast path.
_HEADER, _CRC = fastpath.header_formats(Body, Frame)


#: Bytes of a frame that did not decode that its FrameError's message shows (.raw holds them all).
SHOWN_FRAME_BYTES = 48


class FrameError(ValueError):
    """A received frame could not be decoded; .raw holds its bytes as received. .msg_type and .seq are
    its header's when its CRC held and its payload broke a limit of the protocol (an infinite float in a
    SUMMARY), else None: the frame is what the firmware sent, and what it was sent as is known."""

    def __init__(self, reason: str, raw: bytes, msg_type: MsgType | None = None, seq: int | None = None) -> None:
        # the bytes shown are bounded: a frame of garbage is up to 1 kB, whose 3 kB of hex on each line of an error
        # made a replay through a noisy line print 64 kB (frames.jsonl keeps every byte of each)
        shown = raw[:SHOWN_FRAME_BYTES].hex(" ") + (f" ... ({len(raw)} bytes in all)" if len(raw) > SHOWN_FRAME_BYTES
                                                    else "")
        super().__init__(f"{reason} (frame bytes: {shown or 'empty'})")
        self.reason = reason
        self.raw = raw
        self.msg_type = msg_type
        self.seq = seq


@dataclass(frozen=True)
class Message:
    """A decoded frame: its type, sequence number and payload fields."""

    type: MsgType
    seq: int
    payload: dict[str, Any]
    version: int = PROTOCOL_VERSION
    #: The stream decoder saw this seq in the frame just before: a repeat (a duplicating link).
    repeat: bool = False


def build_body(msg_type: MsgType, payload: dict[str, Any], seq: int) -> bytes:
    """Header, payload and CRC of one frame, before COBS stuffing."""
    body = {"version": PROTOCOL_VERSION, "type": msg_type.name, "seq": seq & 0xFFFF, "payload": payload}
    return Frame.build({"body": {"value": body}})


def encode(msg_type: MsgType, payload: dict[str, Any], seq: int) -> bytes:
    """One frame ready for the wire: COBS-stuffed, 0x00-terminated."""
    return cobs.encode(build_body(msg_type, payload, seq)) + DELIMITER


def encode_sample_batch(seq: int, first_index: int, counts: np.ndarray,
                        columns: tuple[str, ...] = ("ax", "ay", "az", "gx", "gy", "gz")) -> bytes:
    """encode(SAMPLE_BATCH, {"first_index": first_index, "samples": rows of counts}, seq), byte for
    byte, without construct: counts is an (n, 6) integer array whose columns are named `columns`."""
    payload = fastpath.sample_batch_payload(first_index, counts, columns)
    body = _HEADER.pack(PROTOCOL_VERSION, int(MsgType.SAMPLE_BATCH), seq & 0xFFFF, len(payload)) + payload
    return cobs.encode(body + _CRC.pack(crc16(body))) + DELIMITER


def _plain(value: Any) -> Any:
    """construct containers and enum strings to plain dicts, lists, str and int."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if type(value).__name__ == "EnumIntegerString":
        return str(value)
    return value


def parse_body(raw: bytes) -> Message:
    """Decode header, payload and CRC (already un-stuffed); FrameError if invalid."""
    if len(raw) < HEADER_BYTES + CRC_BYTES:
        raise FrameError(f"frame too short: {len(raw)} bytes, need at least {HEADER_BYTES + CRC_BYTES}", raw)
    # The CRC is checked before any field is trusted: a corrupt length byte
    # must read as corruption, not as a malformed message.
    want, got = int.from_bytes(raw[-2:], "little"), crc16(raw[:-2])
    if want != got:
        raise FrameError(f"CRC mismatch: frame says 0x{want:04x}, bytes give 0x{got:04x}", raw)
    if raw[0] != PROTOCOL_VERSION:  # another version may lay its header out otherwise: nothing else is read
        raise FrameError(f"protocol version {raw[0]}, this rig speaks {PROTOCOL_VERSION}", raw)
    if raw[1] not in _TYPE_VALUES:  # construct's Switch would say only 'Error in path (parsing) -> body -> payload'
        raise FrameError(f"unknown message type 0x{raw[1]:02x}: no message of protocol {PROTOCOL_VERSION} has it "
                         "(another firmware, or a newer one, on this port)", raw)
    declared = _HEADER.unpack_from(raw)[-1]
    held = len(raw) - _HEADER.size - _CRC.size
    if declared != held:
        raise FrameError(f"length field says a payload of {declared} bytes, the frame holds {held}", raw)
    fast = _parse_fixed(raw)
    if fast is not None:
        return _within_limits(fast, raw)
    try:
        parsed = Frame.parse(raw)
    except ConstructError as exc:
        raise FrameError(f"malformed frame: {str(exc).splitlines()[0]}", raw) from None
    body = parsed.body.value
    if body.version != PROTOCOL_VERSION:
        raise FrameError(f"protocol version {body.version}, this rig speaks {PROTOCOL_VERSION}", raw)
    msg = Message(type=MsgType[str(body.type)], seq=body.seq, payload=_plain(body.payload), version=body.version)
    return _within_limits(msg, raw)


def _within_limits(msg: Message, raw: bytes) -> Message:
    """msg, if its payload keeps the protocol's limits (frame_spec.limits); FrameError naming the field if not."""
    why = payload_problem(msg.type, msg.payload)
    if why is not None:
        raise FrameError(why, raw, msg.type, msg.seq)
    return msg


def _parse_fixed(raw: bytes) -> Message | None:
    """A frame of this protocol version whose payload has a fixed layout, parsed without construct
    (frame_spec.fastpath); None for every other frame, which construct then parses or explains."""
    head = _HEADER.size
    version, msg_type, seq, length = _HEADER.unpack_from(raw)
    if version != PROTOCOL_VERSION or length != len(raw) - head - _CRC.size:
        return None
    fixed = fastpath.parse_payload(msg_type, memoryview(raw)[head:head + length])
    if fixed is None:
        return None
    return Message(type=fixed[0], seq=seq, payload=fixed[1], version=version)


def decode(stuffed: bytes) -> Message:
    """Decode one COBS-stuffed frame (without its 0x00 delimiter); FrameError if invalid."""
    try:
        raw = cobs.decode(stuffed)
    except cobs.DecodeError as exc:
        raise FrameError(f"bad COBS stuffing: {exc}", stuffed) from None
    return parse_body(raw)


class StreamDecoder:
    """Splits a byte stream at 0x00 delimiters and decodes each frame.

    feed() yields a Message or a FrameError per complete frame, in order, and
    tracks the sequence numbers so a lost frame is reported as a gap. A HELLO
    with seq 0 in mid-stream is the firmware booting again: counted in
    `restarts`, not as a gap. A frame with the seq of the frame just before is
    a repeat: yielded with `repeat` set and counted in `repeats`, not as a gap.
    """

    def __init__(self, max_frame_bytes: int = 1024) -> None:
        self._buf = bytearray()
        self._max = max_frame_bytes
        self.next_seq: int | None = None
        self.gaps = 0
        self.restarts = 0
        self.repeats = 0
        self.bad_frames = 0

    def feed(self, data: bytes) -> Iterator[Message | FrameError]:
        """Take received bytes; yield each complete frame's decode result."""
        parts = bytes(data).split(DELIMITER)
        for i, part in enumerate(parts):
            if part:
                self._buf += part
                while len(self._buf) > self._max:
                    raw = bytes(self._buf[:self._max + 1])
                    del self._buf[:self._max + 1]
                    self.bad_frames += 1
                    yield FrameError(f"no delimiter within {self._max} bytes", raw)
            if i == len(parts) - 1:
                break  # no delimiter after this part (yet)
            stuffed = bytes(self._buf)
            self._buf.clear()
            if not stuffed:
                continue  # idle delimiters
            try:
                msg = decode(stuffed)
            except FrameError as err:
                self.bad_frames += 1
                yield err
                continue
            if self.next_seq is not None and msg.seq != self.next_seq:
                if msg.type is MsgType.HELLO and msg.seq == 0:
                    self.restarts += 1
                elif msg.seq == (self.next_seq - 1) & 0xFFFF:
                    self.repeats += 1
                    yield Message(msg.type, msg.seq, msg.payload, msg.version, repeat=True)
                    continue
                else:
                    self.gaps += 1
            self.next_seq = (msg.seq + 1) & 0xFFFF
            yield msg

    @property
    def pending(self) -> bytes:
        """Bytes received after the last delimiter (a frame still arriving)."""
        return bytes(self._buf)
