"""A faulty link between the rig and a target: corrupts, drops, repeats, splits, delays and stalls
frames, and resets the firmware's analyzer, at set rates, in both directions.

`FaultyLink(upstream_url, rates)` opens the target's link (any pyserial URL) and serves it on a
loopback TCP port: the rig connects to `link.url` (`socket://127.0.0.1:PORT`) as to any board.
Bytes are cut into frames at the 0x00 delimiters and each frame meets the faults independently,
from a seeded random generator of its direction (the same seed and the same frames give the same
faults, however the two directions' threads interleave). The wrapper keeps its own
account of what it did, so a campaign can check the rig against it: every frame the firmware
really sent (`genuine`), every byte delivered to the rig (`delivered`), and how many frames of
each direction were lost or changed. `edit_to_rig` rewrites every firmware frame on its way, for a
test's own corruption of chosen frames (stale frames prepended, one byte of one frame flipped).
"""

from __future__ import annotations

import random
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import serial

from frame_spec import FrameError, Message, MsgType, decode, encode
from frame_spec.messages import Op
from rig.port_open import close_port, open_keeping_input

#: Given a complete wire frame (COBS bytes + 0x00), the bytes to pass on instead (any number of frames).
FrameEdit = Callable[[bytes], bytes]

#: seq of the CMD RESET frames the wrapper injects (the rig's own seqs never reach it in a run).
RESET_SEQ = 0xFFF0


@dataclass(frozen=True)
class FaultRates:
    """Probability per frame of each fault (0..1), and the delays of the timed ones, s."""

    corrupt: float = 0.0  #: one bit of the frame flipped
    drop: float = 0.0  #: the frame lost
    duplicate: float = 0.0  #: the frame delivered twice
    split: float = 0.0  #: the frame delivered in two pieces, split_pause_s apart
    delay: float = 0.0  #: the frame held back delay_s (the frames behind it wait too)
    stall: float = 0.0  #: the direction stops for stall_s before the frame
    reset: float = 0.0  #: host to firmware only: a CMD RESET injected before the frame
    split_pause_s: float = 0.005
    delay_s: float = 0.05
    stall_s: float = 0.5

    def any(self) -> bool:
        """Whether any fault can happen."""
        return any(getattr(self, k) > 0 for k in ("corrupt", "drop", "duplicate", "split", "delay", "stall", "reset"))


@dataclass
class Direction:
    """What happened to the frames of one direction."""

    frames: int = 0
    corrupted: int = 0
    dropped: int = 0
    duplicated: int = 0
    split: int = 0
    delayed: int = 0
    stalled: int = 0
    resets: int = 0
    #: frames the edit function changed
    edited: int = 0
    #: every complete frame received from the sender, as received (COBS bytes + 0x00)
    genuine: list[bytes] = field(default_factory=list)
    #: every byte passed on to the receiver, in order
    delivered: bytearray = field(default_factory=bytearray)
    #: messages that did not arrive as sent (dropped or corrupted), decoded from the genuine frame
    lost_messages: list[Message] = field(default_factory=list)
    #: messages before which a CMD RESET was injected
    reset_before: list[Message] = field(default_factory=list)

    @property
    def lost(self) -> int:
        """Frames that did not arrive as sent (dropped or corrupted)."""
        return self.dropped + self.corrupted


class FaultyLink:
    """Serve `upstream` (a pyserial URL) on 127.0.0.1 with faults; see the module docstring.

    Only frames are faulted: a trailing partial frame is passed on when the sender closes.
    edit_to_rig: applied to every firmware frame before its faults (see FrameEdit);
    edit_to_firmware: the same for every frame the rig sends."""

    def __init__(self, upstream: str, to_rig: FaultRates, to_firmware: FaultRates | None = None,
                 seed: int = 0, baud: int = 115200, edit_to_rig: FrameEdit | None = None,
                 edit_to_firmware: FrameEdit | None = None) -> None:
        self.upstream = upstream
        self._edits: dict[str, FrameEdit | None] = {"to_rig": edit_to_rig, "to_firmware": edit_to_firmware}
        self.rates = {"to_rig": to_rig, "to_firmware": to_firmware or FaultRates()}
        self.to_rig = Direction()
        self.to_firmware = Direction()
        self._rngs = {name: random.Random(f"{seed}:{name}") for name in self.rates}
        # pyserial's open() would flush what the firmware sent already (its boot HELLO): keep it
        self._port = open_keeping_input(upstream, baud)
        self._server = socket.create_server(("127.0.0.1", 0))
        #: the loopback port the rig connects to, and its URL
        self.port: int = self._server.getsockname()[1]
        self.url = f"socket://127.0.0.1:{self.port}"
        self._client: socket.socket | None = None
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._serve, daemon=True, name="faulty-link")]
        self._threads[0].start()

    # -- life --------------------------------------------------------------
    def close(self) -> None:
        """Stop forwarding, close both ends and join the threads."""
        self._stop.set()
        for s in (self._client, self._server):
            if s is not None:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for t in self._threads:
            t.join(5)
        for s in (self._client, self._server):
            if s is not None:
                s.close()
        close_port(self._port)

    def __enter__(self) -> "FaultyLink":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- forwarding --------------------------------------------------------
    def _serve(self) -> None:
        self._server.settimeout(30)
        try:
            client, _ = self._server.accept()
        except OSError:
            return
        client.settimeout(0.05)
        self._client = client
        down = threading.Thread(target=self._pump, daemon=True, name="faulty-link-down",
                                args=(self._read_port, lambda b: client.sendall(b), self.to_rig, "to_rig"))
        self._threads.append(down)
        down.start()
        self._pump(self._read_client, self._port.write, self.to_firmware, "to_firmware")

    def _read_port(self) -> bytes:
        return bytes(self._port.read(max(1, self._port.in_waiting)))

    def _read_client(self) -> bytes:
        assert self._client is not None
        try:
            data = self._client.recv(4096)
        except socket.timeout:
            return b""
        if not data:
            raise OSError("the rig closed the link")
        return data

    def _pump(self, read: Callable[[], bytes], write: Callable[[bytes], object], acct: Direction, name: str) -> None:
        rates = self.rates[name]
        buf = b""
        try:
            while not self._stop.is_set():
                data = read()
                if not data:
                    continue
                buf += data
                *frames, buf = buf.split(b"\x00")
                for body in frames:
                    if body:
                        self._forward(body + b"\x00", write, acct, rates, name)
                    else:
                        self._send(b"\x00", write, acct)
        except (OSError, serial.SerialException):
            pass
        if buf:
            try:
                self._send(buf, write, acct)
            except (OSError, serial.SerialException):
                pass

    def _send(self, data: bytes, write: Callable[[bytes], object], acct: Direction) -> None:
        write(data)
        acct.delivered += data

    @staticmethod
    def _note(into: list[Message], frame: bytes) -> None:
        try:
            into.append(decode(frame[:-1]))
        except FrameError:
            pass  # the sender's frame was already bad: nothing to note

    def _roll(self, name: str, p: float) -> bool:
        return p > 0 and self._rngs[name].random() < p

    def _forward(self, frame: bytes, write: Callable[[bytes], object], acct: Direction, r: FaultRates, name: str) -> None:
        acct.frames += 1
        acct.genuine.append(frame)
        edit = self._edits[name]
        if edit is not None:
            edited = edit(frame)
            acct.edited += edited != frame
            frame = edited
            if not frame:
                return
        if self._roll(name, r.stall):
            acct.stalled += 1
            time.sleep(r.stall_s)
        if name == "to_firmware" and self._roll(name, r.reset):
            acct.resets += 1
            self._send(encode(MsgType.CMD, {"op": Op.RESET.name}, RESET_SEQ + acct.resets % 8), write, acct)
            self._note(acct.reset_before, frame)
        if self._roll(name, r.drop):
            acct.dropped += 1
            self._note(acct.lost_messages, frame)
            return
        if self._roll(name, r.corrupt):
            acct.corrupted += 1
            self._note(acct.lost_messages, frame)
            at = self._rngs[name].randrange(len(frame) - 1)  # never the delimiter: the frame stays one frame
            bit = 1 << self._rngs[name].randrange(8)
            flipped = bytearray(frame)
            flipped[at] ^= bit
            if flipped[at] == 0:  # a new delimiter would cut the frame in two: flip another bit instead
                flipped[at] = frame[at] ^ (bit << 1 if bit < 0x80 else 0x01)
            frame = bytes(flipped)
        if self._roll(name, r.delay):
            acct.delayed += 1
            time.sleep(r.delay_s)
        if self._roll(name, r.split) and len(frame) > 2:
            acct.split += 1
            cut = len(frame) // 2
            self._send(frame[:cut], write, acct)
            time.sleep(r.split_pause_s)
            self._send(frame[cut:], write, acct)
        else:
            self._send(frame, write, acct)
        if self._roll(name, r.duplicate):
            acct.duplicated += 1
            self._send(frame, write, acct)
