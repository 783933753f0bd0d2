"""Answers bound to their session: stale ACKs of an earlier run never answer this one, and a
repeated or out-of-sequence STRIDE frame lands in the result once, marked in doubt."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

import pytest

from frame_spec import MsgType, decode, encode
from rig.errors import LinkError
from rig.inject import to_raw
from rig.link import Link
from rig.session import ReplaySession, RunResult
from rig.targets.host import HostTarget
from scenarios.catalog import synthesize
from tests.rig.proxy import CorruptingProxy
from tests.rig.targets.test_host import still_recording

pytestmark = pytest.mark.target("host")


@pytest.fixture
def host_tcp(tmp_path: Path):
    target = HostTarget(tcp=True)
    url = target.start(tmp_path)
    yield url
    target.stop()


def _through(tmp_path: Path, url: str, mutate: Callable[[bytes], bytes], raw) -> RunResult:
    host, port = url.removeprefix("socket://").split(":")
    with CorruptingProxy((host, int(port)), mutate) as proxy, \
            Link(f"socket://127.0.0.1:{proxy.port}", tmp_path) as link:
        return ReplaySession(link).run(raw)


def _stale_acks(session: int = 0x1234) -> bytes:
    """What an earlier run leaves in a port: ACKs of its frames 0..15, all accepted."""
    return b"".join(encode(MsgType.ACK, {"acked_seq": s, "status": 0, "session": session}, 100 + s) for s in range(16))


def _before_first(stale: bytes) -> Callable[[bytes], bytes]:
    first = [True]

    def mutate(frame: bytes) -> bytes:
        if first[0]:
            first[0] = False
            return stale + frame
        return frame
    return mutate


def test_a_refused_config_is_seen_through_stale_acks(tmp_path: Path, host_tcp: str) -> None:
    """The firmware refuses this CONFIG (a rate under 1 Hz); an earlier run's ACK of the same seq
    saying 0 must not stand in for the refusal."""
    raw = dataclasses.replace(to_raw(still_recording(1.0)), odr_mhz=500)
    with pytest.raises(LinkError, match=r"refused CONFIG .*errno 22"):
        _through(tmp_path, host_tcp, _before_first(_stale_acks()), raw)


def test_stale_acks_are_ignored_and_counted(tmp_path: Path, host_tcp: str) -> None:
    result = _through(tmp_path, host_tcp, _before_first(_stale_acks()), to_raw(still_recording(2.0)))
    assert result.summary is not None and result.summary["duration_s"] == pytest.approx(2.0, abs=0.01)
    assert result.stale_acks >= 1
    assert any("ACK(s) of an earlier session were ignored" in n for n in result.notes())
    assert not result.link_problems()


def _strides_mutated(change: Callable[[int, bytes], bytes]) -> Callable[[bytes], bytes]:
    """Pass each STRIDE frame (numbered from 0 as they come) through change."""
    count = [0]

    def mutate(frame: bytes) -> bytes:
        if decode(frame[:-1]).type is not MsgType.STRIDE:
            return frame
        count[0] += 1
        return change(count[0] - 1, frame)
    return mutate


def _restamped(frame: bytes, stride_no: int) -> bytes:
    msg = decode(frame[:-1])
    return encode(MsgType.STRIDE, {**msg.payload, "stride_no": stride_no}, msg.seq)


@pytest.fixture(scope="module")
def sprint_raw():
    return to_raw(synthesize("sprint"))


def test_a_repeated_stride_frame_lands_once(tmp_path: Path, host_tcp: str, sprint_raw) -> None:
    result = _through(tmp_path, host_tcp, _strides_mutated(lambda k, f: f + f if k == 2 else f), sprint_raw)
    numbers = [s["stride_no"] for s in result.strides]
    assert len(numbers) > 5 and numbers == sorted(set(numbers)) == list(range(len(numbers)))
    assert result.repeated_strides == 1
    assert result.summary is not None and result.summary["strides"] == len(result.strides)
    assert not any("in_doubt" in s for s in result.to_json()["strides"])
    assert result.seq_gaps == 0, "a repeat is no lost frame"


def test_a_stride_number_out_of_sequence_is_in_doubt(tmp_path: Path, host_tcp: str, sprint_raw) -> None:
    result = _through(tmp_path, host_tcp, _strides_mutated(lambda k, f: _restamped(f, 9999) if k == 3 else f),
                      sprint_raw)
    numbers = [s["stride_no"] for s in result.strides]
    assert len(numbers) == len(set(numbers))
    doubtful = [s["stride_no"] for s in result.to_json()["strides"] if s.get("in_doubt")]
    assert doubtful == [9999]
    assert any("stride_no 9999" in p and "out of sequence: it came after 2 and before 4" in p
               for p in result.link_problems())


def test_an_analyzer_reset_whose_first_stride_was_lost_starts_a_new_series(tmp_path: Path, host_tcp: str,
                                                                             sprint_raw) -> None:
    """After a reset the firmware counts strides again; when the link lost the new count's first
    STRIDE, the numbers go back to 1, not 0. The strides after it are a new series, none lost or
    in doubt."""
    result = _through(tmp_path, host_tcp, _strides_mutated(lambda k, f: _restamped(f, k - 4) if k >= 5 else f),
                      sprint_raw)
    numbers = [s["stride_no"] for s in result.strides]
    assert numbers[:5] == [0, 1, 2, 3, 4] and numbers[5:] == list(range(1, len(numbers) - 4))
    assert not any(s.get("in_doubt") for s in result.to_json()["strides"])
    assert any("restarted at 1 after stride_no 4" in p for p in result.link_problems())


def test_a_contradicting_stride_number_keeps_the_first(tmp_path: Path, host_tcp: str, sprint_raw) -> None:
    result = _through(tmp_path, host_tcp, _strides_mutated(lambda k, f: _restamped(f, 0) if k == 4 else f), sprint_raw)
    numbers = [s["stride_no"] for s in result.strides]
    assert numbers.count(0) == 1 and 4 not in numbers
    assert result.to_json()["strides"][0]["in_doubt"] is True
    problems = result.link_problems()
    assert any("stride_no 0 arrived twice with different values" in p for p in problems)
    assert any("SUMMARY counts" in p for p in problems)


def _retimed(frame: bytes, **times: int) -> bytes:
    msg = decode(frame[:-1])
    return encode(MsgType.STRIDE, {**msg.payload, **times}, msg.seq)


def _time_changes() -> dict[str, Callable[[dict[int, dict[str, int]], int, bytes], bytes]]:
    """Each way a firmware's stride times cannot be, applied to the fourth STRIDE (k == 3)."""
    return {
        # early in a run: no 32-bit wrap, a wrong time (it was read as a wrap, every later stride with it)
        "wrap": lambda seen, k, f: _retimed(f, ic_us=0xFFFFFFF0) if k == 3 else f,
        "tc_first": lambda seen, k, f: _retimed(f, tc_us=seen[k]["ic_us"] - 50_000) if k == 3 else f,
        "backwards": lambda seen, k, f: _retimed(f, ic_us=seen[2]["ic_us"]) if k == 3 else f,
    }


@pytest.mark.parametrize("how,said", [
    ("wrap", "stride_no 3: ic_us 4294967280 (0xFFFFFFF0) is"),
    ("tc_first", "stride_no 3: its toe-off (tc_us"),
    ("backwards", "is the same as that of stride_no 2"),
])
def test_stride_times_that_cannot_be_are_named(tmp_path: Path, host_tcp: str, sprint_raw, how: str,
                                               said: str) -> None:
    seen: dict[int, dict[str, int]] = {}
    change = _time_changes()[how]

    def mutate(k: int, frame: bytes) -> bytes:
        seen[k] = decode(frame[:-1]).payload
        return change(seen, k, frame)
    result = _through(tmp_path, host_tcp, _strides_mutated(mutate), sprint_raw)
    problems = result.link_problems()
    assert any(said in p for p in problems), problems
    doubtful = [s["stride_no"] for s in result.to_json()["strides"] if s.get("in_doubt")]
    assert 3 in doubtful and len(doubtful) <= 2, doubtful
    if how == "wrap":
        # the wrong time put no wrap into the clock: the strides after it stay on the recording
        after = [s for s in result.strides if s.stride_no > 3]
        assert after and all(s.ic_s < float(sprint_raw.t_s[-1]) for s in after)
        assert not [p for p in problems if "stride_no 4" in p]
