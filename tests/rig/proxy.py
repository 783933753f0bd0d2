"""A loopback TCP proxy that can corrupt chosen firmware frames (test utility)."""

from __future__ import annotations

import socket
import threading
from typing import Callable

from frame_spec import FrameError, decode

#: Given a complete wire frame (COBS bytes + 0x00), return the bytes to forward.
Mutator = Callable[[bytes], bytes]


class CorruptingProxy:
    """Listens on 127.0.0.1:port, connects to upstream, forwards both ways.

    Firmware-to-rig bytes are cut at 0x00 delimiters and each frame passes
    through `mutate`; rig-to-firmware bytes pass unchanged.
    """

    def __init__(self, upstream: tuple[str, int], mutate: Mutator) -> None:
        self.upstream = upstream
        self.mutate = mutate
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.corrupted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.server.settimeout(10)
        client, _ = self.server.accept()
        fw = socket.create_connection(self.upstream, timeout=10)
        threading.Thread(target=self._pipe_up, args=(client, fw), daemon=True).start()
        buf = b""
        try:
            while data := fw.recv(4096):
                buf += data
                *frames, buf = buf.split(b"\x00")
                for f in frames:
                    out = self.mutate(f + b"\x00")
                    self.corrupted += out != f + b"\x00"
                    client.sendall(out)
        except OSError:
            pass
        finally:
            client.close()

    @staticmethod
    def _pipe_up(client: socket.socket, fw: socket.socket) -> None:
        try:
            while data := client.recv(4096):
                fw.sendall(data)
        except OSError:
            pass
        finally:
            fw.close()


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
