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
        self._sockets: list[socket.socket] = [self.server]
        self._threads = [threading.Thread(target=self._serve, daemon=True)]
        self._threads[0].start()

    def close(self) -> None:
        """Stop forwarding and join the threads.

        A thread left blocked on a closed socket would read from whatever socket
        reuses its descriptor next, stealing another test's bytes.
        """
        for s in self._sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in self._threads:
            t.join(5)
        for s in self._sockets:
            s.close()

    def __enter__(self) -> "CorruptingProxy":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        self.server.settimeout(10)
        try:
            client, _ = self.server.accept()
            fw = socket.create_connection(self.upstream, timeout=10)
        except OSError:
            return
        self._sockets += [client, fw]
        up = threading.Thread(target=self._pipe_up, args=(client, fw), daemon=True)
        self._threads.append(up)
        up.start()
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

    @staticmethod
    def _pipe_up(client: socket.socket, fw: socket.socket) -> None:
        try:
            while data := client.recv(4096):
                fw.sendall(data)
        except OSError:
            pass


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
