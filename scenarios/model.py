"""The data every part of the rig exchanges: a recording and its ground truth.

Units follow the shoe frame of the design card: x toward the toes, y toward the
wearer's left, z up out of the sole; accelerations in g, angular rates in
degrees per second, times in seconds unless a name says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

STRIKE_CLASSES = ("heel", "mid", "fore")
ACTIVITIES = ("still", "walk", "run", "stairs")


@dataclass(frozen=True)
class StrideTruth:
    """Ground truth of one stride, IC[k] to IC[k+1] of the instrumented foot.

    Any field may be None when the source does not know it (a recording's labels).
    """

    ic_s: float
    tc_s: float | None = None
    gct_ms: float | None = None
    flight_ms: float | None = None
    swing_ms: float | None = None
    stride_ms: float | None = None
    stride_m: float | None = None
    speed_mps: float | None = None
    fsa_deg: float | None = None
    strike: str | None = None
    pronation_deg: float | None = None
    activity: str | None = None
    impact_g: float | None = None
    rise_m: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stride as a JSON-ready dict (keys of the replay JSON contract)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Truth:
    """Ground truth of a whole recording.

    label_windows_s: (start, end) spans inside which every IC of the foot is
    labelled; detections outside them are neither hits nor false alarms.
    activity_s: seconds spent per activity (keys of ACTIVITIES).
    """

    strides: tuple[StrideTruth, ...]
    label_windows_s: tuple[tuple[float, float], ...]
    distance_m: float | None = None
    activity_s: dict[str, float] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Recording:
    """A 6-axis IMU stream in the shoe frame, with its truth when known.

    t_s: (N,) sample times, strictly increasing; acc_g, gyro_dps: (N, 3).
    odr_hz is the nominal output data rate of the sensor.
    """

    name: str
    odr_hz: float
    t_s: np.ndarray
    acc_g: np.ndarray
    gyro_dps: np.ndarray
    truth: Truth | None = None
    accel_fs_g: float = 16.0
    gyro_fs_dps: float = 2000.0
    #: What reading the recording found and the user should know (rig replay prints them).
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.t_s)
        if self.acc_g.shape != (n, 3) or self.gyro_dps.shape != (n, 3):
            raise ValueError(
                f"recording {self.name!r}: t_s has {n} samples but acc_g is "
                f"{self.acc_g.shape} and gyro_dps is {self.gyro_dps.shape}; both must be ({n}, 3)"
            )

    @property
    def duration_s(self) -> float:
        """Time from the first to the last sample, s."""
        return float(self.t_s[-1] - self.t_s[0]) if len(self.t_s) else 0.0
