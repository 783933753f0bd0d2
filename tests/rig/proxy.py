"""A loopback proxy that corrupts chosen firmware frames (test utility): the product's faulty link
(rig.faults.FaultyLink) with no random fault, only the test's own edit of each firmware frame."""

from __future__ import annotations

from frame_spec import FrameError, decode
from rig.faults import FaultRates, FaultyLink, FrameEdit

#: Given a complete wire frame (COBS bytes + 0x00), return the bytes to forward.
Mutator = FrameEdit


class CorruptingProxy(FaultyLink):
    """Listens on 127.0.0.1:port, connects to upstream (host, port), forwards both ways.

    Firmware-to-rig frames pass through `mutate`; rig-to-firmware bytes pass unchanged."""

    def __init__(self, upstream: tuple[str, int], mutate: Mutator) -> None:
        super().__init__(f"socket://{upstream[0]}:{upstream[1]}", FaultRates(), edit_to_rig=mutate)

    @property
    def corrupted(self) -> int:
        """Firmware frames mutate changed."""
        return self.to_rig.edited

    def __enter__(self) -> "CorruptingProxy":
        return self


def flip_first(type_name: str, byte_offset: int = 8) -> Mutator:
    """A mutator that flips one byte inside the first frame of the given message type."""
    done = False

    def mutate(frame: bytes) -> bytes:
        nonlocal done
        if done or len(frame) <= byte_offset + 1:
            return frame
        try:
            msg = decode(frame[:-1])
        except FrameError:
            return frame
        if msg.type.name != type_name:
            return frame
        done = True
        bad = bytearray(frame)
        bad[byte_offset] ^= 0x5A
        if bad[byte_offset] == 0:  # keep the framing intact: corrupt, not split
            bad[byte_offset] = 0x01
        return bytes(bad)

    return mutate
