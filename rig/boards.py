"""Board profiles: what a board of a kind is, how it is reset and flashed, and the HELLO it must answer.

A profile only describes (like a labgrid resource): the board target checks the firmware's HELLO
against it and names the profile's reset and flash commands in its messages.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from typing import Any

from frame_spec.envelope import FrameError, Message, StreamDecoder
from frame_spec.messages import PROTOCOL_VERSION, MsgType
from rig.errors import RigError

PROFILE_ENV = "STRIDELAB_BOARD_PROFILE"


@dataclass(frozen=True)
class BoardProfile:
    """A kind of board the rig drives over a serial link."""

    name: str
    description: str
    #: Link speed, bits per second (8N1).
    baud: int
    #: The board names its firmware may report in HELLO.board.
    board_ids: tuple[str, ...]
    #: How to reset it, as a person would read it.
    reset: str
    #: How to put the firmware on it.
    flash: str
    #: The link protocol version its HELLO must carry.
    protocol: int = PROTOCOL_VERSION


NUCLEO_F401RE = BoardProfile(
    name="nucleo-f401re",
    description="NUCLEO-F401RE + X-NUCLEO-IKS01A3 (LSM6DSO on I2C1), link on USART2 = the ST-LINK virtual COM port",
    baud=115200,
    board_ids=("stm32f4",),
    # The ST-LINK's virtual COM port carries no DTR/RTS to the MCU: NRST is driven by the probe.
    reset="through the ST-LINK: st-flash reset (or openocd -f board/st_nucleo_f4.cfg -c 'init; reset run; exit'), "
          "or the black RESET button",
    flash="make -C firmware_c flash",
)

HOST_PTY = BoardProfile(
    name="host",
    description="the firmware's native build behind a pty or a network serial server (emulated boards of a farm)",
    baud=115200,
    board_ids=("host",),
    reset="restart the native firmware process",
    flash="make -C firmware_c host",
)

PROFILES: dict[str, BoardProfile] = {p.name: p for p in (NUCLEO_F401RE, HOST_PTY)}
DEFAULT_PROFILE = NUCLEO_F401RE.name


def get_profile(name: str | None = None) -> BoardProfile:
    """The profile called name (default: $STRIDELAB_BOARD_PROFILE, else nucleo-f401re); RigError lists the choices."""
    source = "--board-profile"
    if not name:
        name, source = os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE, f"${PROFILE_ENV}"
    try:
        return PROFILES[name]
    except KeyError:
        raise RigError(f"board profile {name!r} ({source}) is unknown; choose one of: {', '.join(PROFILES)}"
                       + (f", or unset {PROFILE_ENV}" if source.startswith("$") else "")) from None


def check_hello(profile: BoardProfile, hello: dict[str, Any], url: str) -> None:
    """Raise RigError when a HELLO is not the one profile's firmware sends (another firmware on the board)."""
    board = str(hello.get("board", ""))
    protocol = int(hello.get("protocol", -1))
    if board in profile.board_ids and protocol == profile.protocol:
        return
    fw = f"{hello.get('fw_major')}.{hello.get('fw_minor')}.{hello.get('fw_patch')}"
    raise RigError(
        f"the board at {url} answered HELLO board {board!r}, protocol {protocol}, firmware {fw}; profile "
        f"{profile.name} expects board {' or '.join(map(repr, profile.board_ids))}, protocol {profile.protocol}: "
        f"another firmware runs there. Flash this one ({profile.flash}) or choose the profile of that board "
        f"(--board-profile: {', '.join(PROFILES)})"
    )


#: What the STM32 system bootloader answers on its USART (ACK, NACK; AN3155).
_BOOTLOADER_BYTES = frozenset(b"\x79\x1f")


#: Messages only the host sends: a firmware never does, so receiving them is hearing the rig's own words.
_HOST_TYPES = frozenset({MsgType.CONFIG, MsgType.SAMPLE_BATCH, MsgType.CMD, MsgType.GATT_READ, MsgType.GATT_WRITE})


def _host_frames(data: bytes) -> list[str]:
    """The names of the frames in data when every valid frame there is one the host sends (else [])."""
    decoded = [m for m in StreamDecoder(max_frame_bytes=4096).feed(data) if isinstance(m, Message)]
    if not decoded or any(m.type not in _HOST_TYPES for m in decoded):
        return []
    names = [f"{m.type.name} {m.payload['op']}" if m.type is MsgType.CMD else m.type.name for m in decoded]
    return sorted(set(names), key=names.index)


def describe_answer(data: bytes, frame_errors: list[FrameError]) -> str:
    """What a port that sent no HELLO did send, as a sentence: nothing, text, a bootloader's bytes,
    frames of another protocol version, or bytes that are no frame."""
    if not data:
        return ("nothing at all came back: is the firmware flashed and running, and is this the board's port? "
                "(reset the board; flash it)")
    versions = [e.reason for e in frame_errors if e.reason.startswith("protocol version")]
    if versions:
        return f"frames of another protocol came back ({versions[-1]}): another firmware version runs there"
    echoed = _host_frames(data)
    if echoed:
        return (f"the rig's own frames came back ({', '.join(echoed)}): the port echoes what it is sent (a "
                "loop:// URL, TX wired to RX, a console with echo on), no firmware answers on it")
    printable = set(string.printable.encode())
    head = data[:200]
    if sum(b in printable for b in head) >= 0.9 * len(head):
        text = head.decode("ascii", errors="replace").strip()
        return (f"text came back, not frames: {text[:80]!r}: a console, a shell or another firmware "
                "talks on this port")
    if set(data) <= _BOOTLOADER_BYTES:
        return (f"only {data[:16].hex(' ')} came back: the STM32 system bootloader's ACK/NACK (BOOT0 high?), "
                "not the firmware")
    return (f"{len(data)} bytes came back that are no frame of this link ({data[:24].hex(' ')}...): another firmware, "
            "or the wrong baud rate")
