"""What a decoded payload may hold beyond its wire layout: the limits the frame definitions state.

A frame whose CRC holds can still carry what the protocol does not allow: an enum value that
names nothing (STRIDE strike 9), a variable field longer than its bound in ARRAY_MAX (a LOG
of 300 bytes, a RAW_BATCH of 200 samples: the generated C codec refuses them with -EBADMSG), or
an infinite float (a float field is a measurement, or NaN where it could not be made). Such a
frame is no answer to judge: the decoder reports it as a FrameError naming the field, the value
and the limit, like any other frame that does not decode.

The checks are read once from the construct definitions of frame_spec.messages, so a field added
there is checked by kind without a change here. FAULT keeps an enum value it does not know: a
crash report from a firmware with a newer reason code must still end the run as a crash.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from construct import Array, Enum, FormatField, Renamed, StringEncoded

from frame_spec.messages import ARRAY_MAX, PAYLOADS, HexBytes, MsgType

#: A check of one payload field: None when the value is allowed, else why not.
Check = Callable[[Any], "str | None"]

#: Messages whose enum fields may carry a value this rig has no name for (see the module docstring).
LENIENT_ENUMS = frozenset({MsgType.FAULT})


def _enum_check(names: tuple[str, ...]) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, str):
            return None
        return f"{value} is not one of {', '.join(names)}"
    return check


def _float_check(value: Any) -> str | None:
    if isinstance(value, float) and math.isinf(value):
        return f"{value} is not a measurement (a float field is finite, or NaN where not measured)"
    return None


def _length_check(limit: int, unit: str, size: Callable[[Any], int]) -> Check:
    def check(value: Any) -> str | None:
        n = size(value)
        return None if n <= limit else f"{n} {unit}, more than the {limit} the protocol allows"
    return check


def _field_check(msg_type: MsgType, name: str, sc: Any) -> Check | None:
    """The check of one top-level payload field, or None when its wire layout says everything."""
    limit = ARRAY_MAX.get((msg_type.name, name))
    if isinstance(sc, Enum):
        if msg_type in LENIENT_ENUMS:
            return None
        return _enum_check(tuple(str(v) for v in sc.decmapping.values()))
    if isinstance(sc, FormatField) and sc.fmtstr[-1:] in ("f", "d"):
        return _float_check
    if limit is None:
        return None
    if isinstance(sc, Array):
        return _length_check(limit, "samples", len)
    if isinstance(sc, StringEncoded):
        return _length_check(limit, "bytes of text", lambda text: len(str(text).encode("utf-8")))
    if isinstance(sc, HexBytes):
        return _length_check(limit, "bytes", lambda hexed: len(str(hexed)) // 2)
    return None


def _checks() -> dict[MsgType, tuple[tuple[str, Check], ...]]:
    table: dict[MsgType, tuple[tuple[str, Check], ...]] = {}
    for msg_type, st in PAYLOADS.items():
        found = []
        for rn in st.subcons:
            if not isinstance(rn, Renamed):
                continue
            check = _field_check(msg_type, rn.name, rn.subcon)
            if check is not None:
                found.append((rn.name, check))
        table[msg_type] = tuple(found)
    return table


CHECKS = _checks()


def payload_problem(msg_type: MsgType, payload: dict[str, Any]) -> str | None:
    """Why a decoded payload breaks a limit of the protocol (the first field that does), or None."""
    for name, check in CHECKS.get(msg_type, ()):
        why = check(payload.get(name))
        if why is not None:
            return f"{msg_type.name} {name}: {why}"
    return None
