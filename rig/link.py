"""The link to the firmware: frames over any pyserial URL, every byte captured."""

from __future__ import annotations

import errno
import json
import math
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import serial
from serial.urlhandler.protocol_socket import Serial as SocketSerial

import numpy as np

from frame_spec import FrameError, Message, MsgType, StreamDecoder, encode
from frame_spec.envelope import encode_sample_batch
from rig.errors import CaptureError, FirmwareFault, LinkError, RigError
from rig.port_open import close_port, open_keeping_input, take_ahead
from rig.serial_ports import busy_error, check_network_url, is_local, not_a_terminal, require_present, url_scheme


#: Frames that did not decode that a Link keeps in memory (the first ones); it counts them all.
KEPT_FRAME_ERRORS = 100

#: Frame errors frames.jsonl lists one by one (with their bytes); later ones are counted in a line
#: before the next frame, so a device sending garbage cannot make it 30 times the size of rx.bin.
LOGGED_FRAME_ERRORS = 1000

#: Bytes close() reads on after the run, what was waiting in the port: a firmware flooding a socket:// link
#: had it read 64 reads of 64 kB each, 4 MB decoded and logged, seconds past the end of every wait.
CLOSE_DRAIN_BYTES = 256 * 1024

#: One encoder for every line of frames.jsonl (json.dumps would make one per call); strict JSON only.
_JSON_LINE = json.JSONEncoder(default=str, allow_nan=False)


def _json_safe(value: Any) -> Any:
    """value with every NaN float as None (null: a field the firmware could not measure, as in
    result.json), so that each line of frames.jsonl is JSON any reader takes."""
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


class Link:
    """Frames to and from the firmware over a pyserial URL.

    Every byte received is appended to ``capture_dir/rx.bin`` as it arrives,
    every byte sent to ``tx.bin``, and each decoded frame or frame error to
    ``frames.jsonl``. A FAULT frame raises FirmwareFault at once.
    """

    def __init__(self, url: str, capture_dir: Path, baud: int = 115200,
                 symbolize: Callable[[int], str] | None = None, reopen_s: float = 0.0) -> None:
        """symbolize: address -> 'function at file:line' of the running image (rig.symbolize), for a FAULT.
        reopen_s: when the port fails (a USB device that vanished: the ST-LINK re-enumerating after
        flashing or a brown-out), wait up to this long for it to come back and reopen it; 0 fails at once."""
        capture_dir.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.symbolize = symbolize
        self.baud = baud
        self.reopen_s = reopen_s
        self.capture = capture_dir / "rx.bin"
        #: Each time the port vanished and was reopened, as a sentence.
        self.reopens: list[str] = []
        self._port = self._open()
        self._rx = open(self.capture, "ab", buffering=0)
        self._tx = open(capture_dir / "tx.bin", "ab", buffering=0)
        self._log = open(capture_dir / "frames.jsonl", "a", encoding="utf-8")
        self._decoder = StreamDecoder()
        self._inbox: list[Message] = []
        #: Every frame decoded, in order of arrival (FAULT included); rig.dut searches it.
        self.history: list[Message] = []
        #: The FAULT frame, once one came.
        self.fault: Message | None = None
        #: The first KEPT_FRAME_ERRORS frames that did not decode (frames.jsonl has every one).
        self.frame_errors: list[FrameError] = []
        #: How many frames did not decode, and the latest of them.
        self.frame_error_count = 0
        self.last_frame_error: FrameError | None = None
        #: The last SUMMARY whose CRC held but whose payload broke a limit (an infinite figure): no SUMMARY
        #: to wait for, and no answer to judge (the session's waits end on it).
        self.corrupt_summary: FrameError | None = None
        #: Frame errors beyond LOGGED_FRAME_ERRORS not yet counted in a line of frames.jsonl.
        self._unlisted = 0
        self.logs: list[str] = []
        self.tx_seq = 0
        #: Frames sent in all (tx_seq wraps at 65536; this does not).
        self.frames_sent = 0
        self.rx_bytes = 0
        self._held: list[bytes] | None = None

    def _open(self) -> serial.SerialBase:
        url = self.url
        if is_local(url):
            require_present(url)
        check_network_url(url)
        try:
            # the port the board target's check opened (rig.port_open), else a new one
            port = take_ahead(url, self.baud) or open_keeping_input(url, self.baud)
            if url_scheme(url) != "rfc2217":  # pyserial's RFC 2217 client has no write timeout
                port.write_timeout = 10
            sock = getattr(port, "_socket", None) if isinstance(port, SocketSerial) else None
            if sock is not None:
                # every frame leaves at once: Nagle's algorithm would hold a frame written while
                # an earlier one is unacknowledged, up to the peer's delayed ACK (40 ms)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return port
        except (serial.SerialException, ValueError, OSError) as exc:
            if is_local(url) and ("exclusively lock" in str(exc) or getattr(exc, "errno", None) == errno.EBUSY
                                  or "Device or resource busy" in str(exc)):
                raise busy_error(url, str(exc)) from None
            if is_local(url) and (getattr(exc, "errno", None) == errno.ENOTTY or f"({errno.ENOTTY}, " in str(exc)):
                raise not_a_terminal(url) from None
            raise LinkError(
                f"cannot open the link {url!r}: {exc}\n  check that the port exists and is free "
                "(a board: ls /dev/ttyACM* /dev/ttyUSB*; a network board: host:port reachable)"
            ) from None

    def _reopen(self, failure: Exception) -> bool:
        """After the port failed: wait (at most reopen_s) for it to come back and reopen it.

        True once reopened; False when reopening is off. Raises LinkError when it does not come back."""
        if self.reopen_s <= 0:
            return False
        try:
            self._port.close()
        except Exception:  # noqa: BLE001 - the port is gone already; closing only frees the descriptor
            pass
        t0 = time.monotonic()
        last = str(failure)
        while (waited := time.monotonic() - t0) < self.reopen_s:
            if not is_local(self.url) or os.path.exists(self.url):
                try:
                    self._port = self._open()
                    self.reopens.append(f"the port {self.url} failed after {self.rx_bytes} bytes received ({failure}) "
                                        f"and was reopened {waited:.2f} s later")
                    self._record({"reopened": self.url, "after_rx_bytes": self.rx_bytes, "gap_s": round(waited, 3)})
                    return True
                except RigError as exc:
                    last = str(exc)
            time.sleep(0.05)
        raise LinkError(f"the port {self.url} failed after {self.rx_bytes} bytes received ({failure}) and did not come "
                        f"back within {self.reopen_s:g} s (last: {last}): is the board still plugged in and powered?",
                        self.capture)

    # -- sending ---------------------------------------------------------
    def send(self, msg_type: MsgType, payload: dict[str, Any]) -> int:
        """Send one frame; returns its sequence number."""
        seq = self._next_seq()
        self.write_raw(encode(msg_type, payload, seq))
        return seq

    def send_samples(self, first_index: int, counts: np.ndarray) -> int:
        """Send one SAMPLE_BATCH of the (n, 6) counts ax, ay, az, gx, gy, gz from sensor index
        first_index (the fast encoder: the same bytes as send()); returns its sequence number."""
        seq = self._next_seq()
        self.write_raw(encode_sample_batch(seq, first_index, counts))
        return seq

    def _next_seq(self) -> int:
        seq = self.tx_seq
        self.tx_seq = (self.tx_seq + 1) & 0xFFFF
        self.frames_sent += 1
        return seq

    def has_sent(self, seq: int) -> bool:
        """Whether a frame of sequence number seq has gone out on this link (any seq, once it wrapped)."""
        return self.frames_sent > 0xFFFF or 0 <= seq < self.frames_sent

    @contextmanager
    def together(self) -> Iterator[None]:
        """Frames sent inside the block leave in one write when it ends: the peer wakes once for
        them, not once per frame. Nothing is sent if the block raises.

        A link that reopens a vanished port (reopen_s) writes each frame at once all the same:
        a write cut short there is sent again whole, which must be only the frame it cut."""
        if self.reopen_s > 0 or self._held is not None:
            yield
            return
        self._held = []
        try:
            yield
            held = self._held
        finally:
            self._held = None
        if held:
            self.write_raw(b"".join(held))

    def write_raw(self, data: bytes) -> None:
        """Send bytes as they are (tests use it to send corrupt frames)."""
        if self._held is not None:
            self._held.append(data)
            return
        self._keep(self._tx, data)
        try:
            self._port.write(data)
        except (serial.SerialException, OSError) as exc:
            reopens = len(self.reopens)
            self._read_last_words()  # which reopens the port if reading fails too
            if len(self.reopens) > reopens or self._reopen(exc):
                self.write_raw(data)  # a frame cut short on the old port is dropped by the firmware's decoder
                return
            raise LinkError(f"writing to {self.url!r} failed: {exc}", self.capture) from None

    def _read_last_words(self, limit_s: float = 0.5) -> None:
        """After the link broke: read what the firmware sent before it went (a FAULT raises FirmwareFault)."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            before = self.rx_bytes
            try:
                self._pump(0.05)
            except FirmwareFault:
                raise
            except LinkError:
                return
            if self.rx_bytes == before:
                return

    # -- receiving -------------------------------------------------------
    def _pump(self, timeout_s: float) -> None:
        """Read what arrives within about timeout_s (at most one 50 ms port timeout more).

        The port's timeout is set once at open: changing it reconfigures the port,
        which over RFC 2217 is a network round trip per read."""
        try:
            data = self._port.read(max(1, self._port.in_waiting))
            sock = getattr(self._port, "_socket", None) if data and isinstance(self._port, SocketSerial) else None
            if sock is not None:
                # socket:// says 1 byte waiting whatever is there: take the rest without waiting
                try:
                    data += sock.recv(65536)
                except BlockingIOError:
                    pass  # nothing more yet (its socket does not block)
        except (serial.SerialException, OSError) as exc:
            if self._reopen(exc):
                return
            raise LinkError(f"reading from {self.url!r} failed: {exc}", self.capture) from None
        if not data:
            return
        self._keep(self._rx, data)
        self.rx_bytes += len(data)
        for item in self._decoder.feed(data):
            if isinstance(item, FrameError):
                # counted, not all kept: a device sending garbage (0x01 0x00 over and over is a
                # frame error every 2 bytes) would otherwise fill the memory at a kilobyte a frame
                self.frame_error_count += 1
                self.last_frame_error = item
                if item.msg_type is MsgType.SUMMARY:
                    self.corrupt_summary = item
                if len(self.frame_errors) < KEPT_FRAME_ERRORS:
                    self.frame_errors.append(item)
                if self.frame_error_count <= LOGGED_FRAME_ERRORS:
                    self._record({"error": item.reason, "raw": item.raw.hex()})
                else:
                    self._unlisted += 1
                continue
            self._record({"type": item.type.name, "seq": item.seq, "payload": _json_safe(item.payload)})
            self.history.append(item)
            if item.type is MsgType.FAULT:
                self.fault = item
                raise FirmwareFault.from_payload(item.payload, self.capture, self.symbolize)
            if item.type is MsgType.LOG:
                self.logs.append(item.payload["text"])
            self._inbox.append(item)

    def _record(self, entry: dict[str, Any]) -> None:
        if self._unlisted:
            self._list_unlisted()
        self._keep(self._log, _JSON_LINE.encode(entry) + "\n")

    def _list_unlisted(self) -> None:
        """One line for the frame errors since the last line of frames.jsonl that it did not list."""
        count, self._unlisted = self._unlisted, 0
        last = self.last_frame_error
        self._record({"errors_not_listed": count, "last_error": last.reason if last is not None else None,
                      "by_rx_byte": self.rx_bytes})

    @staticmethod
    def _keep(capture: IO[Any], data: Any) -> None:
        """Append data to a capture file; CaptureError naming it when that fails (a full file system):
        a byte received that cannot be kept ends the run."""
        try:
            capture.write(data)
        except OSError as exc:
            raise CaptureError.writing(Path(capture.name), exc) from None

    def pump(self, timeout_s: float) -> None:
        """Read and decode what arrives within about timeout_s into `history` (and the inbox of receive())."""
        self._pump(timeout_s)

    def trim_inbox(self, keep: int) -> None:
        """Forget all but the last `keep` unread frames of receive()'s inbox (`history` keeps every frame)."""
        del self._inbox[:-keep if keep > 0 else len(self._inbox)]

    def receive(self, timeout_s: float) -> Message | None:
        """The next valid frame, or None if none arrived within timeout_s."""
        deadline = time.monotonic() + timeout_s
        while not self._inbox:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._pump(left)
        return self._inbox.pop(0)

    @property
    def seq_gaps(self) -> int:
        """Frames from the firmware that never arrived, as seen from sequence numbers."""
        return self._decoder.gaps

    @property
    def restarts(self) -> int:
        """Times the firmware booted again (a HELLO with seq 0 after other frames)."""
        return self._decoder.restarts

    @property
    def pending_bytes(self) -> bytes:
        """Bytes of a frame that has not been completed."""
        return self._decoder.pending

    def close(self) -> None:
        """Keep what is already waiting in the port (up to CLOSE_DRAIN_BYTES), then close the port and the capture
        files."""
        start = self.rx_bytes
        for _ in range(64):  # bounded: a firmware that never stops talking cannot hold the close
            try:
                if not self._port.is_open or not self._port.in_waiting or self.rx_bytes - start >= CLOSE_DRAIN_BYTES:
                    break
                self._pump(0.0)
            except Exception:  # noqa: BLE001 - a FAULT or a broken port at close: it is in the capture already
                break
        ending = sys.exc_info()[1]  # the error (or signal) that ends the run, if one does
        unwritten: CaptureError | None = None
        try:
            if not self._log.closed:
                if self._unlisted:
                    self._list_unlisted()
                self._log.flush()  # frames.jsonl is buffered: a full file system shows here
        except CaptureError as exc:
            unwritten = exc
        except OSError as exc:
            unwritten = CaptureError.writing(Path(self._log.name), exc)
        closers: list[Callable[[], None]] = [lambda: close_port(self._port), self._rx.close, self._tx.close,
                                             self._log.close]
        for close in closers:
            try:
                close()
            except Exception:  # noqa: BLE001 - closing must not hide the error that led here
                pass
        if unwritten is not None and ending is None:
            raise unwritten

    def __enter__(self) -> "Link":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
