"""Property: whatever way a valid recording CSV is written (columns in any order, extra columns of
any text, a byte order mark, CRLF or LF line ends, comment and blank lines, spaces around fields,
exponent notation, a leading +), read_recording returns exactly the samples the file holds: never
other values, never a refusal. (What it does with invalid files: test_scenario_parser_properties.)"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios import read_recording
from scenarios.recording_csv import COLUMNS

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fmt(v: float, style: int) -> str:
    """v as text that reads back as exactly v."""
    if style == 0:
        return repr(v)
    if style == 1:
        return f"{v:.17e}"
    if style == 2:
        return f"{v:+.17g}"
    return f"{v:.17E}".replace("E+0", "E+").replace("E-0", "E-")


@st.composite
def recordings(draw: st.DrawFn) -> tuple[np.ndarray, bytes]:
    n = draw(st.integers(2, 60))
    rate = draw(st.floats(12.0, 9000.0))  # with the jitter, inside the 10..10000 Hz the rig takes
    t0 = draw(st.floats(-1e3, 1e6))
    jitter = draw(st.lists(st.floats(0.9, 1.1), min_size=n, max_size=n))
    t = t0 + np.cumsum(np.asarray(jitter) / rate)
    acc = np.asarray(draw(st.lists(st.tuples(*[st.floats(-0.3, 0.3)] * 3), min_size=n, max_size=n))) + [0, 0, 1.0]
    gyro = np.asarray(draw(st.lists(st.tuples(*[st.floats(-2000.0, 2000.0)] * 3), min_size=n, max_size=n)))
    data = np.column_stack([t, acc, gyro])
    order = draw(st.permutations(range(7)))
    extra = draw(st.integers(0, 2))
    names = [COLUMNS[i] for i in order] + [f"note{k}" for k in range(extra)]
    bom = "\ufeff" if draw(st.booleans()) else ""
    pad = draw(st.sampled_from(["", " ", "\t"]))
    lines = [f"# comment {k}" for k in range(draw(st.integers(0, 2)))] + [",".join(pad + c + pad for c in names)]
    for row in data:
        fields = [pad + _fmt(float(row[i]), draw(st.integers(0, 3))) + pad for i in order]
        fields += [draw(st.text(st.characters(blacklist_characters=",\r\n", blacklist_categories=("Cs",)),
                                max_size=6)) for _ in range(extra)]
        lines.append(",".join(fields))
        if draw(st.integers(0, 9)) == 0:
            lines.append("")
    ends = [draw(st.sampled_from(["\n", "\r\n"])) for _ in lines]
    text = bom + "".join(line + end for line, end in zip(lines, ends))
    return data, text.encode("utf-8")


@SETTINGS
@given(recordings())
def test_the_samples_read_are_the_samples_written(case: tuple[np.ndarray, bytes]) -> None:
    data, blob = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.csv"
        path.write_bytes(blob)
        rec = read_recording(path)
    assert np.array_equal(rec.t_s, data[:, 0])
    assert np.array_equal(rec.acc_g, data[:, 1:4])
    assert np.array_equal(rec.gyro_dps, data[:, 4:7])
