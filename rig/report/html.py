"""The report's HTML page: one self-contained file (inline style, no script, nothing fetched), one row
per scenario and target with its verdict, each figure against its tolerance, the failures, links to
the captures and the plot, and the exact command that runs it again."""

from __future__ import annotations

import html
import time
from collections.abc import Sequence

from rig.report.entry import CAPTURE_FILES, Entry

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 6px 8px; vertical-align: top; text-align: left; }
th { background: #f4f4f4; position: sticky; top: 0; }
.v { font-weight: 600; padding: 2px 6px; border-radius: 3px; white-space: nowrap; }
.passed { background: #d9f2d9; color: #145214; } .failed { background: #f9d6d5; color: #7a1612; }
.error { background: #f5c6a5; color: #6b3000; } .retried { background: #fff1b8; color: #6b5200; }
.fig { font-size: 12px; border: 0; } .fig td { border: 0; padding: 0 8px 0 0; }
.ok { color: #145214; } .bad { color: #b3261e; font-weight: 600; } .na { color: #888; }
code { background: #f4f4f4; padding: 1px 4px; font-size: 12px; } ul { margin: 0; padding-left: 1.2em; }
img { max-width: 360px; border: 1px solid #ddd; }
"""


def _verdict(e: Entry) -> str:
    if e.retried_pass:
        return (f'<span class="v retried">PASSED after {len(e.retried)} failed attempt(s)</span>'
                + "<ul>" + "".join(f"<li>{html.escape(a.get('message', '')[:300])}</li>" for a in e.retried) + "</ul>")
    if e.crashed:
        return '<span class="v error">CRASHED</span>'
    if e.cut_short:
        return f'<span class="v error">CUT SHORT by {html.escape(e.cut_short)}</span>'
    if e.under_way:
        return '<span class="v error">NEVER ENDED</span>'
    return f'<span class="v {e.verdict}">{e.verdict.upper()}</span>'


def _figures(e: Entry) -> str:
    rows = []
    for f in e.figures:
        cls = "na" if f.passed is None else ("ok" if f.passed else "bad")
        rows.append(f'<tr><td>{html.escape(f.metric)}</td><td class="{cls}">{html.escape(f.shown())}</td>'
                    f"<td>{html.escape(f.tolerance())}</td></tr>")
    strides = ""
    if e.strides_truth is not None:
        strides = f"<div>{e.strides_detected} strides detected of {e.strides_truth}"
        strides += f", {e.realtime_factor:.0f}x real time</div>" if e.realtime_factor else "</div>"
    return strides + (f'<table class="fig">{"".join(rows)}</table>' if rows else "")


def _captures(e: Entry, present: Sequence[str]) -> str:
    if not e.run_dir:
        return ""
    links = [f'<a href="{html.escape(e.run_dir)}/{name}">{name}</a>' for name in CAPTURE_FILES if name in present]
    return f'<a href="{html.escape(e.run_dir)}/">{html.escape(e.run_dir)}</a><br>' + " ".join(links)


def render(entries: Sequence[Entry], title: str, present: dict[str, list[str]]) -> str:
    """The page; present maps an entry's key to the capture files that exist for it."""
    ordered = sorted(entries, key=lambda e: (e.verdict == "passed" and not e.retried, e.target, e.scenario))
    count = {v: sum(e.verdict == v for e in entries) for v in ("passed", "failed", "error")}
    retried = sum(e.retried_pass for e in entries)
    head = (f"<h1>{html.escape(title)}</h1><p>{len(entries)} runs: {count['passed']} passed"
            + (f" ({retried} only after a retry)" if retried else "")
            + f", {count['failed']} failed, {count['error']} did not complete"
            + (f" ({cut} cut short by a signal)" if (cut := sum(bool(e.cut_short) for e in entries)) else "")
            + (f" ({crashed} crashed)" if (crashed := sum(bool(e.crashed) for e in entries)) else "") + ". "
            + f"Targets: {html.escape(', '.join(sorted({e.target for e in entries})) or 'none')}. "
            + f"Written {time.strftime('%Y-%m-%d %H:%M:%S %Z')}.</p>")
    rows = []
    for e in ordered:
        problems = "".join(f"<li>{html.escape(x)}</li>" for x in e.failures)
        problems += "".join(f'<li class="na">note: {html.escape(x)}</li>' for x in e.notes)
        if e.first_failing_why:
            problems += f"<li>first failing stride: {html.escape(e.first_failing_why)}</li>"
        plot = (f'<a href="{html.escape(e.plot)}"><img src="{html.escape(e.plot)}" alt="plot of {html.escape(e.scenario)}"></a>'
                if e.plot else "")
        rows.append(
            f"<tr id=\"{html.escape(e.key)}\"><td>{_verdict(e)}</td><td><b>{html.escape(e.scenario)}</b>"
            f"{'<br>in ' + html.escape(e.test) if e.test else ''}<br>"
            f"{html.escape(e.target)}{'<br>seed ' + str(e.seed) if e.seed is not None else ''}</td>"
            f"<td>{_figures(e)}</td><td><ul>{problems}</ul></td><td>{plot}</td>"
            f"<td>{_captures(e, present.get(e.key, []))}<br>re-run: <code>{html.escape(e.command)}</code></td></tr>")
    table = ("<table><tr><th>verdict</th><th>scenario, target</th><th>figures against tolerance</th>"
             "<th>failures, notes</th><th>plot</th><th>captures, command</th></tr>" + "".join(rows) + "</table>")
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{head}{table}</body></html>\n")
