"""What the phone received, as the app's view: a notification that is no RSC Measurement (the shoe
relays what the firmware sent, malformed or not) is named and left out, never a traceback."""

from __future__ import annotations

import pytest

pytest.importorskip("bumble", reason="the BLE shoe needs the ble extra: pip install -e '.[ble]'")

from frame_spec.rscs_golden import MEASUREMENTS, wire  # noqa: E402
from rig.app_view import RscSample  # noqa: E402
from rig.ble.run import _phone_view  # noqa: E402
from rig.records import RunResult  # noqa: E402


def test_a_malformed_notification_is_named_and_the_rest_keep_their_times() -> None:
    good = [wire(v.wire_hex) for v in MEASUREMENTS[:3]]
    sent = tuple(RscSample.from_value(float(t), v) for t, v in enumerate(good, start=1))
    result = RunResult(strides=[], summary=None, hello={}, samples_sent=0, wall_s=1.0, rsc=sent)
    received = [good[0], b"\x07\x00", b"", good[1], good[2]]  # a truncated value, then an empty one
    view, well_formed, problems = _phone_view(result, received, None)
    assert [s.t_s for s in view] == [1.0, 2.0, 3.0] and well_formed == good
    assert len(problems) == 2
    assert problems[0].startswith("ble: notification #1 the phone received, 07 00, is no RSC Measurement")
    assert "notification #2 the phone received, empty," in problems[1]
