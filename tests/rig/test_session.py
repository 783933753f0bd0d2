"""Flow control: what the rig sends unacknowledged always fits the firmware's receive buffer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from frame_spec import MsgType, StreamDecoder, encode
from rig.errors import LinkError, LinkTimeout
from rig.faults import FrameEdit
from rig.link import Link
from rig.progress import ProgressClock
from rig.session import MAX_WINDOW, ReplaySession, Timeouts, batch_bounds, batch_wire_bytes, flow_from_hello


def test_wire_bytes_of_a_batch_bound_any_real_batch() -> None:
    loud = {"ax": -1, "ay": 32767, "az": -32768, "gx": 257, "gy": -257, "gz": 1}
    for n in (1, 7, 32):
        real = encode(MsgType.SAMPLE_BATCH, {"first_index": 123456, "samples": [loud] * n}, 4242)
        assert len(real) <= batch_wire_bytes(n)
    assert batch_wire_bytes(32) - batch_wire_bytes(31) == 12  # one sample: six int16


@pytest.mark.parametrize("rx_bytes", [27, 100, 399, 400, 2048, 4096, 65535])
def test_flow_never_overfills_the_receive_buffer(rx_bytes: int) -> None:
    batch, window = flow_from_hello({"max_batch": 32, "rx_buffer_bytes": rx_bytes})
    assert 1 <= batch <= 32 and 1 <= window <= MAX_WINDOW
    assert batch * window > 0 and window * batch_wire_bytes(batch) <= rx_bytes


def test_the_reference_firmware_gets_full_batches_five_in_flight() -> None:
    assert flow_from_hello({"max_batch": 32, "rx_buffer_bytes": 2048}) == (32, 5)


def test_a_firmware_with_smaller_batches_gets_them() -> None:
    assert flow_from_hello({"max_batch": 8, "rx_buffer_bytes": 2048})[0] == 8


def test_a_buffer_too_small_for_one_sample_is_a_clear_error() -> None:
    with pytest.raises(LinkError, match=r"rx_buffer_bytes 20.*FW_RX_RING_BYTES"):
        flow_from_hello({"max_batch": 32, "rx_buffer_bytes": 20})


def _bounds_one_by_one(index: np.ndarray, batch: int) -> list[tuple[int, int]]:
    """Batches as a loop sample by sample cuts them: a new one when full or at a gap."""
    out: list[tuple[int, int]] = []
    for i in range(len(index)):
        if out and out[-1][1] == i and i - out[-1][0] < batch and index[i] == index[i - 1] + 1:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


@given(st.lists(st.integers(1, 40), max_size=60), st.integers(1, 32))
def test_batches_hold_consecutive_indices_and_no_more_than_a_batch(steps: list[int], batch: int) -> None:
    """Gaps of any size anywhere (steps > 1), batches of any size: the same cut as sample by sample."""
    index = np.cumsum([0] + steps).astype(np.uint32)[: len(steps)] if steps else np.zeros(0, np.uint32)
    starts, stops = batch_bounds(index, batch)
    assert list(zip(starts.tolist(), stops.tolist())) == _bounds_one_by_one(index, batch)


# ---- the handshake survives a target that is not listening yet ----------------------------------

HELLO = {"protocol": 2, "fw_major": 1, "fw_minor": 0, "fw_patch": 0, "max_batch": 16, "rx_buffer_bytes": 1024,
         "board": "deaf-at-first"}


def _firmware(srv: socket.socket, ignore: int, seen: list[int], hello: dict[str, object] = HELLO) -> None:
    """Plays a firmware whose receiver is off for the first `ignore` frames: it drops them."""
    conn, _ = srv.accept()
    dec = StreamDecoder()
    seq = 0
    with conn:
        while True:
            data = conn.recv(4096)
            if not data:
                return
            for item in dec.feed(data):
                if not hasattr(item, "type") or item.type is not MsgType.CMD:
                    continue
                seen.append(item.seq)
                if len(seen) <= ignore:
                    continue
                conn.sendall(encode(MsgType.HELLO, hello, seq) + encode(MsgType.ACK, {"acked_seq": item.seq, "session": 0,
                                                                                      "status": 0}, seq + 1))
                seq += 2


def _serve(ignore: int, hello: dict[str, object] = HELLO) -> tuple[socket.socket, list[int], threading.Thread]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    seen: list[int] = []
    th = threading.Thread(target=_firmware, args=(srv, ignore, seen, hello), daemon=True)
    th.start()
    return srv, seen, th


def test_hello_is_asked_again_until_answered(tmp_path: Path) -> None:
    srv, seen, _ = _serve(ignore=3)
    with srv, Link(f"socket://127.0.0.1:{srv.getsockname()[1]}", tmp_path) as link:
        hello = ReplaySession(link, Timeouts(hello_s=10)).handshake()
    assert hello["board"] == "deaf-at-first"
    assert len(seen) == 4  # three CMD HELLO dropped, the fourth answered


def test_no_answer_says_what_was_sent_and_what_came(tmp_path: Path) -> None:
    srv, seen, _ = _serve(ignore=1000)
    with srv, Link(f"socket://127.0.0.1:{srv.getsockname()[1]}", tmp_path) as link:
        with pytest.raises(LinkTimeout) as err:
            ReplaySession(link, Timeouts(hello_s=1.6)).handshake()
    text = str(err.value)
    assert "sent CMD HELLO" in text and "time(s)" in text and "received: HELLO no, ACKs of seq none" in text
    assert "0 bytes received" in text and len(seen) >= 3


class _StarvedTarget(ProgressClock):
    """A target that gets half a CPU (a loaded host): a wait is charged half the wall time."""

    def __init__(self) -> None:
        super().__init__(lambda: None)
        self._t0 = time.monotonic()

    def start(self) -> None:
        self._t0 = time.monotonic()

    def charged(self) -> float:
        return (time.monotonic() - self._t0) / 2


def test_asking_for_hello_again_is_bounded_by_the_target_s_progress_not_the_wall_clock(tmp_path: Path) -> None:
    """The CMD HELLO retries ran to a wall-clock deadline of hello_s: a target slowed by a busy host
    (here to half speed) got half of hello_s, a single retry, before the handshake said 'did not send
    HELLO within 1 s' whatever the target did. This one answers the second CMD HELLO, 0.5 s of its
    time (1 s of wall time) after the first: within its 1 s, so the handshake gets it."""
    srv, seen, _ = _serve(ignore=1)
    with srv, Link(f"socket://127.0.0.1:{srv.getsockname()[1]}", tmp_path) as link:
        hello = ReplaySession(link, Timeouts(hello_s=1.0), clock=_StarvedTarget()).handshake()
    assert hello["board"] == "deaf-at-first" and len(seen) == 2


class _BusyTarget(_StarvedTarget):
    """A target always busy at half a CPU: each wait is charged half its wall time, as CPU time."""

    def start(self) -> None:
        super().start()
        self.cpu_charged_s = self.wall_charged_s = 0.0

    def charged(self) -> float:
        self.cpu_charged_s = super().charged()
        return self.cpu_charged_s


def test_a_hello_timeout_counts_every_try_and_all_they_were_charged(tmp_path: Path) -> None:
    """A handshake that gave up said 'did not send HELLO within 0.8 s (0.3 s of the target's CPU time
    while it ran and 0.0 s while it waited)': the time it named was the whole allowance, the progress
    only the last retry's, and nothing said how many times it had asked."""
    import re

    srv, seen, _ = _serve(ignore=1000)
    with srv, Link(f"socket://127.0.0.1:{srv.getsockname()[1]}", tmp_path) as link:
        with pytest.raises(LinkTimeout) as err:
            ReplaySession(link, Timeouts(hello_s=0.8), clock=_BusyTarget()).handshake()
    text = str(err.value)
    tries = re.search(r"did not send HELLO within 0.8 s: (\d+) tries \(its boot HELLO awaited, then CMD HELLO (\d+) "
                      r"time\(s\), each given up to 0.5 s\), charged ([0-9.]+) s of the target's progress in all, "
                      r"([0-9.]+) s of the target's CPU time while it ran and 0.0 s while it waited, over ([0-9.]+) s "
                      r"of wall time \(0 bytes received in all\)", text)
    assert tries, text
    assert int(tries[1]) == int(tries[2]) + 1 == len(seen) + 1 >= 3
    assert float(tries[3]) == float(tries[4]) >= 0.8 and float(tries[5]) >= 1.6


@pytest.mark.parametrize("protocol", [1, 3, 255])
def test_a_hello_of_another_protocol_ends_the_run_naming_it(tmp_path: Path, protocol: int) -> None:
    """Frames of this protocol's envelope, but a HELLO announcing another protocol: the run ends at
    the handshake, naming both versions, instead of reading that firmware's answers as this protocol's."""
    srv, _, _ = _serve(ignore=0, hello={**HELLO, "protocol": protocol})
    with srv, Link(f"socket://127.0.0.1:{srv.getsockname()[1]}", tmp_path) as link:
        with pytest.raises(LinkError, match=rf"announced protocol {protocol} in its HELLO \(board 'deaf-at-first', "
                                            r"firmware 1\.0\.0\); this rig speaks protocol 2"):
            ReplaySession(link, Timeouts(hello_s=2)).handshake()


def _deaf_to(deaf: str, srv: socket.socket) -> None:
    """Plays a firmware that answers HELLO, CONFIG and batches but never `deaf` (CONFIG or END)."""
    conn, _ = srv.accept()
    dec = StreamDecoder()
    seq = 0
    with conn:
        while True:
            data = conn.recv(4096)
            if not data:
                return
            for item in dec.feed(data):
                if not hasattr(item, "type"):
                    continue
                name = item.payload.get("op") if item.type is MsgType.CMD else item.type.name
                if name == deaf:
                    continue
                session = item.payload.get("session", 0) if item.type is MsgType.CONFIG else 0
                out = encode(MsgType.HELLO, HELLO, seq) if name == "HELLO" else b""
                conn.sendall(out + encode(MsgType.ACK, {"acked_seq": item.seq, "session": session, "status": 0}, seq + 1))
                seq += 2


@pytest.mark.parametrize("deaf", ["CONFIG", "END"])
def test_a_lossy_link_s_last_resend_says_how_many_were_sent(tmp_path: Path, deaf: str) -> None:
    """On a lossy link CONFIG and END are sent three times; a firmware that answered none of them
    ended the run with the last try's 'did not send ACK of CONFIG within 0.3 s' alone, as if it had
    been asked once."""
    from rig.inject import to_raw
    from tests.rig.targets.test_host import still_recording

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    threading.Thread(target=_deaf_to, args=(deaf, srv), daemon=True).start()
    with srv, Link(f"socket://127.0.0.1:{srv.getsockname()[1]}", tmp_path) as link:
        session = ReplaySession(link, Timeouts(hello_s=2, ack_s=0.3, summary_s=0.3), lossy=True)
        session.session_id = 0  # the fake firmware echoes no session
        with pytest.raises(LinkTimeout) as err:
            session.run(to_raw(still_recording(0.5)))
    assert f"; sent {deaf} 3 times (seq " in str(err.value), str(err.value)
    assert "each given up to 0.3 s" in str(err.value)


@contextmanager
def _host_through_proxy(tmp_path: Path, edit_to_rig: FrameEdit | None = None,
                        edit_to_firmware: FrameEdit | None = None) -> Iterator[Link]:
    """A link to the host firmware through a FaultyLink that only edits frames (no faults)."""
    from rig.faults import FaultRates, FaultyLink
    from rig.targets.host import HostTarget

    fw = HostTarget()
    (tmp_path / "fw").mkdir()
    url = fw.start(tmp_path / "fw")
    proxy = FaultyLink(url, FaultRates(), edit_to_rig=edit_to_rig, edit_to_firmware=edit_to_firmware)
    try:
        with Link(proxy.url, tmp_path / "run") as link:
            yield link
    finally:
        proxy.close()
        fw.stop()


@pytest.mark.target("host")
def test_a_batch_acknowledged_but_never_received_is_a_link_problem(tmp_path: Path) -> None:
    """A firmware (or a link) that acknowledged a SAMPLE_BATCH it never received: the rig took the
    ACK, the analyzer counted the batch's 32 samples as dropped in its SUMMARY, and the run passed
    with exit 0 and no word. Here a proxy drops one batch on its way to the firmware and acknowledges
    it itself."""
    from frame_spec import FrameError, decode
    from rig.inject import to_raw
    from tests.rig.targets.test_host import still_recording

    dropped: list[int] = []
    faked: list[int] = []

    def fake_ack(frame: bytes) -> bytes:
        msg = decode(frame[:-1])
        if msg.type is MsgType.ACK and dropped and not faked:
            faked.append(dropped[0])
            return frame + encode(MsgType.ACK, {**msg.payload, "acked_seq": dropped[0]}, msg.seq)
        return frame

    def drop(frame: bytes) -> bytes:
        try:
            msg = decode(frame[:-1])
        except FrameError:
            return frame
        if msg.type is MsgType.SAMPLE_BATCH and msg.seq >= 8 and not dropped:
            dropped.append(msg.seq)
            return b""
        return frame

    with _host_through_proxy(tmp_path, edit_to_rig=fake_ack, edit_to_firmware=drop) as link:
        result = ReplaySession(link).run(to_raw(still_recording(20.0)))
    assert faked and result.summary is not None and result.summary.dropped_samples == 32
    problems = result.link_problems()
    assert any(p.startswith("the firmware's analyzer missed 32 sample(s) that the rig sent and the firmware "
                            "acknowledged: its SUMMARY counts 32 dropped where the recording skips 0") for p in problems), \
        problems


@pytest.mark.target("host")
def test_an_ack_of_a_frame_never_sent_is_named_and_ignored(tmp_path: Path) -> None:
    """An ACK of this run's session for a seq the rig had not sent (a firmware acknowledging what it
    never received, a corrupt acked_seq) was taken: it answered that frame ahead of time once the rig
    sent it, and the run passed with no word (only a batch that then went missing showed, later, in
    the SUMMARY's dropped count). It is now a link problem of the run, named as it comes, and ignored."""
    from frame_spec import decode
    from rig.inject import to_raw
    from tests.rig.targets.test_host import still_recording

    made_up: list[tuple[int, int]] = []

    def early_ack(frame: bytes) -> bytes:
        msg = decode(frame[:-1])
        if msg.type is MsgType.ACK and msg.payload["acked_seq"] >= 8 and not made_up:
            ahead = msg.payload["acked_seq"] + MAX_WINDOW + 1  # not sent yet, whatever the window
            made_up.append((msg.seq, ahead))
            return frame + encode(MsgType.ACK, {**msg.payload, "acked_seq": ahead}, msg.seq)
        return frame

    with _host_through_proxy(tmp_path, edit_to_rig=early_ack) as link:
        result = ReplaySession(link).run(to_raw(still_recording(20.0)))
    assert made_up and result.summary is not None and result.summary.dropped_samples == 0
    problems = result.link_problems()
    seq, ahead = made_up[0]
    assert any(p.startswith(f"ACK of a frame never sent: link seq {seq}: an ACK of seq {ahead} (status 0), which the "
                            "rig never sent (it has sent seq 0..") for p in problems), problems


@pytest.mark.target("host")
def test_an_rsc_measurement_stamped_outside_the_run_is_named_not_shown(tmp_path: Path) -> None:
    """An RSC_MEASUREMENT whose t_us was 0xFFFFFFF0 in a 20 s replay went into the app's view at
    4294.967 s (app_view.json), and rig replay exited 0: STRIDE times that cannot be were refused, the
    phone's view's were not. It is now an RSC Measurement problem of the run, kept out of the view."""
    from frame_spec import decode
    from rig.inject import to_raw
    from tests.rig.targets.test_host import still_recording

    stamped: list[int] = []

    def far_stamp(frame: bytes) -> bytes:
        msg = decode(frame[:-1])
        if msg.type is MsgType.RSC_MEASUREMENT and not stamped:
            stamped.append(msg.seq)
            return encode(MsgType.RSC_MEASUREMENT, {**msg.payload, "t_us": 0xFFFFFFF0}, msg.seq)
        return frame

    with _host_through_proxy(tmp_path, edit_to_rig=far_stamp) as link:
        result = ReplaySession(link).run(to_raw(still_recording(20.0)))
    assert stamped and all(r.t_s <= 20.0 for r in result.rsc)
    assert f"RSC Measurement: link seq {stamped[0]}: t_us 4294967280 (0xFFFFFFF0) is 4294.967 s on the recording's " \
           "timeline, outside the run" in "\n".join(result.link_problems())


@pytest.mark.target("host")
def test_a_summary_without_the_ack_of_end_is_named_as_such(tmp_path: Path) -> None:
    """A firmware that sent its SUMMARY but never acknowledged END ended the run with 'did not send
    SUMMARY within 10 s': the SUMMARY had come, the ACK had not."""
    from frame_spec import FrameError, decode
    from rig.inject import to_raw
    from tests.rig.targets.test_host import still_recording

    end: list[int] = []

    def see_end(frame: bytes) -> bytes:
        try:
            msg = decode(frame[:-1])
        except FrameError:
            return frame
        if msg.type is MsgType.CMD and msg.payload["op"] == "END":
            end.append(msg.seq)
        return frame

    def no_end_ack(frame: bytes) -> bytes:
        msg = decode(frame[:-1])
        return b"" if msg.type is MsgType.ACK and msg.payload["acked_seq"] in end else frame

    with _host_through_proxy(tmp_path, edit_to_rig=no_end_ack, edit_to_firmware=see_end) as link:
        with pytest.raises(LinkTimeout) as err:
            ReplaySession(link, Timeouts(summary_s=0.5)).run(to_raw(still_recording(2.0)))
    assert f"sent its SUMMARY but no ACK of END (seq {end[0]}) within 0.5 s" in str(err.value)
