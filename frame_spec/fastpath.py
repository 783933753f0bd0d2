"""The frame codec's fast path, compiled from the construct definitions into struct formats.

A replay sends one SAMPLE_BATCH per 32 samples and gets one ACK back for each: a 30-minute run
is about 23,000 of each, and construct takes about a millisecond per frame. Every payload that
is a fixed sequence of numbers (and SAMPLE_BATCH, whose samples are such a sequence) is read
here from its construct Struct once, at import, into a `struct` format with the fields' names
and enum tables; frames are then built and parsed with those formats. Nothing here knows a
byte offset: a field added to or moved in frame_spec.messages moves here by itself, and a field
kind this module does not know leaves that message to construct (the slow path, same answer).
tests/frame_spec/test_fastpath.py checks both paths give the same bytes and the same payloads.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from construct import Array, Construct, Enum, FormatField, Prefixed, Rebuild, Renamed, Struct

from frame_spec.messages import PAYLOADS, MsgType, SampleBatch


class NotFixed(TypeError):
    """A construct that is not a fixed little-endian number (the fast path leaves it to construct)."""


def _scalar(sc: Construct) -> tuple[str, Callable[[int], Any] | None]:
    """The struct code of a little-endian number field, and how to turn its value into construct's."""
    decode: Callable[[int], Any] | None = None
    if isinstance(sc, Enum):
        names = {int(k): str(v) for k, v in sc.decmapping.items()}
        decode = lambda v, names=names: names.get(v, v)  # noqa: E731 - construct gives an int for an unknown value
        sc = sc.subcon
    if isinstance(sc, FormatField) and sc.fmtstr[:1] == "<" and len(sc.fmtstr) == 2:
        return sc.fmtstr[1], decode
    raise NotFixed(type(sc).__name__)


@dataclass(frozen=True)
class FixedLayout:
    """A Struct of numbers: its struct format (little-endian), field names and enum decoders."""

    fmt: struct.Struct
    names: tuple[str, ...]
    decoders: tuple[tuple[int, Callable[[int], Any]], ...]

    def parse(self, data: bytes | memoryview) -> dict[str, Any]:
        """The payload as construct parses it (enum values by name), from exactly fmt.size bytes."""
        values = list(self.fmt.unpack(data))
        for i, decode in self.decoders:
            values[i] = decode(values[i])
        return dict(zip(self.names, values))


def fixed_layout(st: Struct) -> FixedLayout:
    """The FixedLayout of a Struct whose every field is a little-endian number or enum; NotFixed otherwise."""
    codes, names, decoders = [], [], []
    for i, rn in enumerate(st.subcons):
        if not isinstance(rn, Renamed):
            raise NotFixed("anonymous field")
        code, decode = _scalar(rn.subcon)
        codes.append(code)
        names.append(rn.name)
        if decode is not None:
            decoders.append((i, decode))
    return FixedLayout(struct.Struct("<" + "".join(codes)), tuple(names), tuple(decoders))


def _fixed_payloads() -> dict[int, tuple[MsgType, FixedLayout]]:
    out = {}
    for mt, st in PAYLOADS.items():
        try:
            out[int(mt)] = (mt, fixed_layout(st))
        except NotFixed:
            continue  # variable or text fields: construct parses them
    return out


def header_formats(body: Struct, frame: Struct) -> tuple[struct.Struct, struct.Struct]:
    """The struct formats of a frame's header (its fields up to the payload's length) and of its
    CRC, from the envelope's Body (numbers, then a Prefixed payload) and Frame (RawCopy body, Checksum)."""
    codes = []
    for rn in body.subcons:
        sc = rn.subcon
        codes.append(_scalar(sc.lengthfield if isinstance(sc, Prefixed) else sc)[0])
    crc = next(rn.subcon for rn in frame.subcons if rn.name == "crc")
    return struct.Struct("<" + "".join(codes)), struct.Struct("<" + _scalar(crc.checksumfield)[0])


def _sample_batch() -> tuple[struct.Struct, tuple[str, ...], np.dtype]:
    """SAMPLE_BATCH's leading fields (first index, count) and the dtype of one sample, from SampleBatch."""
    lead, sample = [], None
    for rn in SampleBatch.subcons:
        sc = rn.subcon
        if isinstance(sc, Array):
            sample = fixed_layout(sc.subcon)
        else:
            lead.append(_scalar(sc.subcon if isinstance(sc, Rebuild) else sc)[0])
    if sample is None or sample.decoders:
        raise NotFixed("SAMPLE_BATCH without an array of numbers")
    dtype = np.dtype([(name, "<" + code) for name, code in zip(sample.names, sample.fmt.format[1:])])
    return struct.Struct("<" + "".join(lead)), sample.names, dtype


FIXED = _fixed_payloads()
BATCH_LEAD, SAMPLE_FIELDS, SAMPLE_DTYPE = _sample_batch()


def parse_payload(msg_type: int, payload: bytes | memoryview) -> tuple[MsgType, dict[str, Any]] | None:
    """The message type and payload of a fixed-layout message, or None to leave it to construct
    (a variable message, or a payload of another length: construct then says what is wrong)."""
    entry = FIXED.get(msg_type)
    if entry is None or len(payload) != entry[1].fmt.size:
        return None
    return entry[0], entry[1].parse(payload)


def sample_batch_payload(first_index: int, counts: np.ndarray, columns: tuple[str, ...]) -> bytes:
    """A SAMPLE_BATCH payload: samples from an (n, k) integer array whose columns are named `columns`
    (every sample field must be among them); the same bytes as construct builds."""
    n = len(counts)
    rows = np.empty(n, SAMPLE_DTYPE)
    for name in SAMPLE_FIELDS:
        rows[name] = counts[:, columns.index(name)]
    return BATCH_LEAD.pack(first_index, n) + rows.tobytes()
