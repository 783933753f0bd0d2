"""Flow control: what the rig sends unacknowledged always fits the firmware's receive buffer."""

from __future__ import annotations

import pytest

from frame_spec import MsgType, encode
from rig.errors import LinkError
from rig.session import MAX_WINDOW, batch_wire_bytes, flow_from_hello


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
