"""Equivalence: for the same input the ARM image (under QEMU) and the host build emit the same STRIDE frames.

Same strides, event times on the same sample (and fraction), metrics equal within float rounding, same
summary. Inputs: catalog scenarios of every kind (running, walking, stairs, clipping, dropped samples)
and real labelled walks from scenarios/data.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from rig.runner import run_recording
from rig.records import RunResult
from rig.targets.base import Target
from rig.targets.host import HostTarget
from rig.targets.qemu import QemuTarget
from scenarios.catalog import synthesize
from scenarios.datasets import list_datasets
from scenarios.model import Recording
from scenarios.recording_csv import read_recording

pytestmark = pytest.mark.target("qemu")

SCENARIOS = ("steady_run", "sprint_gyro_saturation", "walk", "stairs_up", "dropouts", "stop_and_go")
RECORDINGS = ("healthy_2x20m_left", "exp34")

#: Relative difference allowed between a metric on the two builds: float32 rounding, a few ulps.
METRIC_REL = 1e-5


def _recording(source: str) -> Recording:
    if source in SCENARIOS:
        return synthesize(source)
    path = next((p for p in list_datasets() if p.stem == source), None)
    if path is None:
        pytest.skip(f"recording {source}.csv is not under scenarios/data")
    return read_recording(path)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=METRIC_REL, abs_tol=1e-6)
    return a == b


def _differences(host: RunResult, arm: RunResult) -> list[str]:
    out = []
    if len(host.strides) != len(arm.strides):
        out.append(f"{len(host.strides)} strides on host, {len(arm.strides)} on qemu")
    for h, a in zip(host.strides, arm.strides):
        for key in h:
            if not _same(h[key], a.get(key)):
                out.append(f"stride {h['stride_no']} {key}: host {h[key]!r}, qemu {a.get(key)!r}")
    for key in (host.summary or {}):
        if not _same((host.summary or {})[key], (arm.summary or {}).get(key)):
            out.append(f"summary {key}: host {(host.summary or {})[key]!r}, qemu {(arm.summary or {}).get(key)!r}")
    return out


@pytest.mark.parametrize("source", SCENARIOS + RECORDINGS)
def test_arm_image_matches_host_build(rig_target: Target, tmp_path: Path, source: str) -> None:
    assert isinstance(rig_target, QemuTarget)
    rec = _recording(source)
    for d in ("host", "qemu"):
        (tmp_path / d).mkdir()
    host = run_recording(HostTarget(), rec, tmp_path / "host")
    arm = run_recording(rig_target, rec, tmp_path / "qemu")
    problems = _differences(host, arm)
    assert not problems, f"{source}: the ARM image and the host build disagree (captures in {tmp_path}):\n  " + \
        "\n  ".join(problems[:20])
    # Event times are the same sample: equal, not merely close.
    assert [s["ic_s"] for s in host.strides] == [s["ic_s"] for s in arm.strides]
    assert [s["tc_s"] for s in host.strides] == [s["tc_s"] for s in arm.strides]
