"""JUnit XML of report entries: one testsuite per target, one testcase per scenario, the key figures
as properties, a retried pass with its earlier failures as flakyFailure (the Maven Surefire convention
that CI tools read), the capture directory and re-run command in system-out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path

from rig.report.entry import Entry


def junit_tree(entries: Sequence[Entry], name: str = "stridelab") -> ET.ElementTree:
    """The JUnit document of entries."""
    root = ET.Element("testsuites", name=name)
    ordered = sorted(entries, key=lambda e: (e.target, e.scenario))
    totals = {"tests": 0, "failures": 0, "errors": 0}
    seconds = 0.0
    for target, group in groupby(ordered, key=lambda e: e.target):
        rows = list(group)
        failures = sum(e.verdict == "failed" for e in rows)
        errors = sum(e.verdict == "error" for e in rows)
        time_s = sum(e.wall_s or 0.0 for e in rows)
        suite = ET.SubElement(root, "testsuite", name=f"scenarios on {target}", tests=str(len(rows)),
                              failures=str(failures), errors=str(errors), skipped="0", time=f"{time_s:.3f}")
        for e in rows:
            case = ET.SubElement(suite, "testcase", classname=f"{target}.scenarios",
                                 name=f"{e.scenario} in {e.test}" if e.test else e.scenario,
                                 time=f"{e.wall_s or 0.0:.3f}")
            props = ET.SubElement(case, "properties")
            for key, value in _properties(e):
                ET.SubElement(props, "property", name=key, value=value)
            if e.verdict == "failed":
                node = ET.SubElement(case, "failure", message=(e.failures or ["failed"])[0], type="ScenarioFailed")
                node.text = "\n".join(e.failures)
            elif e.verdict == "error":
                node = ET.SubElement(case, "error", message=(e.failures or ["error"])[0].splitlines()[0],
                                     type=_error_type(e))
                node.text = "\n".join(e.failures)
            for attempt in e.retried:
                tag = "flakyFailure" if e.verdict == "passed" else "rerunFailure"
                node = ET.SubElement(case, tag, message=attempt.get("message", "")[:200], type=attempt.get("verdict", ""))
                node.text = attempt.get("message", "")
            out = ET.SubElement(case, "system-out")
            out.text = f"re-run: {e.command}\ncaptures: {e.run_dir}\n" + "".join(f"note: {n}\n" for n in e.notes)
        totals["tests"] += len(rows)
        totals["failures"] += failures
        totals["errors"] += errors
        seconds += time_s
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", f"{seconds:.3f}")
    ET.indent(root)
    return ET.ElementTree(root)


def _error_type(e: Entry) -> str:
    """The JUnit error type of an entry that did not complete."""
    if e.crashed:
        return "Crashed"
    if e.cut_short:
        return "CutShort"
    return "UnderWay" if e.under_way else "RigError"


def _properties(e: Entry) -> list[tuple[str, str]]:
    props = [("target", e.target), ("seed", "" if e.seed is None else str(e.seed)), ("command", e.command)]
    if e.retried:
        props.append(("retried", f"{len(e.retried)} failed attempt(s) before this {e.verdict}"))
    for f in e.figures:
        if f.value is not None:
            props.append((f.metric, f"{f.value:.6g}"))
            props.append((f"{f.metric}.tolerance", f.tolerance()))
    for key, value in (("strides_truth", e.strides_truth), ("strides_detected", e.strides_detected),
                       ("realtime_factor", e.realtime_factor)):
        if value is not None:
            props.append((key, f"{value:.6g}" if isinstance(value, float) else str(value)))
    if e.first_failing_why:
        props.append(("first_failing_stride", e.first_failing_why))
    return props


def write_junit(entries: Sequence[Entry], path: Path) -> Path:
    """Write the JUnit XML of entries to path."""
    junit_tree(entries).write(path, encoding="utf-8", xml_declaration=True)
    return path
