"""Draw a recording: accelerometer, gyroscope, truth IC/TC and detected events, to a PNG."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .model import Recording
from .whole_file import write_whole

_AXES = ("x", "y", "z")
_COLORS = ("tab:blue", "tab:orange", "tab:green")
#: Largest |value| drawn, g or dps: a sample past it (a logger's overflow marker, 1.7e308, which a replay reads
#: and the firmware gets clipped) is drawn at it. Drawn as it was, matplotlib's axis arithmetic overflowed and
#: rig plot ended in 'arange: cannot compute length' after a screen of RuntimeWarnings.
MAX_DRAWN = 1e300


def _write_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def _events(items: Sequence[Mapping[str, Any]] | None, key: str) -> list[float]:
    """The finite numbers under key in each dict of items (anything else is skipped)."""
    out = []
    for d in items or []:
        v = d.get(key) if isinstance(d, Mapping) else None
        if isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v):
            out.append(float(v))
    return out


def plot_recording(
    rec: Recording,
    png_path: Path,
    detected: Sequence[Mapping[str, Any]] | None = None,
    t_range_s: tuple[float, float] | None = None,
    marks: Sequence[tuple[float, str]] = (),
) -> Path:
    """Plot acc (g) and gyro (dps) against t_s with truth IC (solid) / TC (dashed) lines and
    detected events (dicts with ic_s, tc_s: triangles on the gyro panel); returns png_path,
    written as PNG at exactly that path (no suffix added).

    t_range_s limits the time axis (default: the whole recording). marks: (t_s, label) drawn as
    thick magenta lines with their label (a report's first failing stride).
    """
    png_path = Path(png_path)
    t = rec.t_s
    lo, hi = (float(t[0]), float(t[-1])) if t_range_s is None else t_range_s
    sel = (t >= lo) & (t <= hi)
    fig = Figure(figsize=(14, 7), dpi=100)
    FigureCanvasAgg(fig)
    ax_acc, ax_gyr = fig.subplots(2, 1, sharex=True)
    acc_g, gyro_dps = (np.clip(v, -MAX_DRAWN, MAX_DRAWN) for v in (rec.acc_g, rec.gyro_dps))
    for i in range(3):
        ax_acc.plot(t[sel], acc_g[sel, i], lw=0.8, color=_COLORS[i], label=f"a{_AXES[i]}")
        ax_gyr.plot(t[sel], gyro_dps[sel, i], lw=0.8, color=_COLORS[i], label=f"g{_AXES[i]}")
    truth = [s.to_dict() for s in rec.truth.strides] if rec.truth else []
    for ax in (ax_acc, ax_gyr):
        for x in _events(truth, "ic_s"):
            if lo <= x <= hi:
                ax.axvline(x, color="black", lw=0.8)
        for x in _events(truth, "tc_s"):
            if lo <= x <= hi:
                ax.axvline(x, color="tab:red", lw=0.8, ls="--")
    top = float(np.max(gyro_dps[sel])) if sel.any() else 1.0
    for key, marker, color in (("ic_s", "v", "black"), ("tc_s", "v", "tab:red")):
        xs = [x for x in _events(detected, key) if lo <= x <= hi]
        if xs:
            ax_gyr.plot(xs, [top * 1.05] * len(xs), marker, color=color, ls="none", label=f"detected {key[:2].upper()}")
    for x, label in marks:
        if lo <= x <= hi:
            for ax in (ax_acc, ax_gyr):
                ax.axvline(x, color="magenta", lw=2.5, alpha=0.6)
            ax_acc.annotate(label, (x, 1.0), xycoords=("data", "axes fraction"), xytext=(4, -12),
                            textcoords="offset points", color="magenta", fontsize=9)
    ax_acc.set_ylabel("acceleration (g)")
    ax_gyr.set_ylabel("angular rate (dps)")
    ax_gyr.set_xlabel("t (s)   truth: IC solid black, TC dashed red")
    # a file name that is no UTF-8 (another system's encoding: b'w\xe4lk.csv') holds surrogates the font
    # cannot draw: matplotlib ended in a TypeError traceback; its bytes are shown escaped
    name = rec.name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    ax_acc.set_title(f"{name}  ({rec.odr_hz:.1f} Hz)")
    ax_acc.legend(loc="upper right", fontsize=8)
    ax_gyr.legend(loc="upper right", fontsize=8)
    ax_acc.grid(alpha=0.3)
    ax_gyr.grid(alpha=0.3)
    fig.tight_layout()
    png_path.parent.mkdir(parents=True, exist_ok=True)
    # format given: the file lands at png_path exactly (matplotlib appends .png to a name without one);
    # whole or not at all: a plot cut short by a signal would stay as half an image
    # drawn into memory first: the PNG writer seeks, which a pipe (--png /dev/stdout | display) cannot
    image = io.BytesIO()
    fig.savefig(image, format="png")
    write_whole(png_path, lambda out: _write_bytes(out, image.getvalue()))
    return png_path
