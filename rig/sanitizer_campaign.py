"""The scenario catalog on the native firmware built with AddressSanitizer and UBSan.

Each scenario is synthesized, replayed on the host target running the sanitized build
(`make -C firmware_c host-san`), and checked against its truth; the firmware's stderr
(target.log) must hold no sanitizer report.

    python -m rig.sanitizer_campaign [SCENARIO...] [--runs-dir DIR]

prints one line per scenario and the totals; exit status 1 if any run failed or any
sanitizer reported.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

from rig.assertions import check_result
from rig.build import host_sanitized_binary
from rig.errors import RigError
from rig.runner import new_run_dir, run_recording
from rig.once import Once
from rig.out_path import out_dir
from rig.targets.host import HostTarget
from rig.tool_args import refuse_repeats, scenario_name

#: What ASan, UBSan and LeakSanitizer print when they find something.
SANITIZER_REPORT = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer")


def sanitizer_reports(log: Path) -> list[str]:
    """The lines of a target.log that are sanitizer reports."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return []
    return [line.strip() for line in text.splitlines() if SANITIZER_REPORT.search(line)]


def run_scenario_sanitized(name: str, runs_dir: Path, binary: Path) -> tuple[bool, list[str], str]:
    """(checks passed, sanitizer reports, one-line account) of one scenario on the sanitized build."""
    from scenarios.catalog import synthesize

    rec = synthesize(name)
    run_dir = new_run_dir(runs_dir, name, "host-san")
    t0 = time.monotonic()
    try:
        result = run_recording(HostTarget(binary=binary), rec, run_dir)
    except RigError as exc:
        return False, sanitizer_reports(run_dir / "target.log"), f"error: {str(exc).splitlines()[0][:200]}"
    assert rec.truth is not None
    report = check_result(result, rec.truth)
    reports = sanitizer_reports(run_dir / "target.log")
    return report.passed, reports, f"{len(result.strides)} strides in {time.monotonic() - t0:.1f} s"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the catalog (or the scenarios named) on the sanitized host build; print the figures."""
    from scenarios.catalog import list_scenarios

    ap = argparse.ArgumentParser(prog="python -m rig.sanitizer_campaign", description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("scenarios", nargs="*", type=scenario_name, help="default: the whole catalog")
    ap.add_argument("--runs-dir", action=Once, type=out_dir("--runs-dir"), default=None)
    args = ap.parse_args(argv)
    refuse_repeats(ap, args.scenarios)
    names = args.scenarios or [s.name for s in list_scenarios()]
    runs_dir = args.runs_dir or Path(tempfile.mkdtemp(prefix="sanitizer-campaign-"))
    try:
        binary = host_sanitized_binary()
    except RigError as exc:  # a build that failed (no ASan runtime, a read-only checkout) ended in a traceback
        print(f"python -m rig.sanitizer_campaign: error: {exc}", file=sys.stderr)
        return 2
    passed = reported = 0
    t0 = time.monotonic()
    for name in names:
        ok, reports, how = run_scenario_sanitized(name, runs_dir, binary)
        passed += ok
        reported += bool(reports)
        print(f"{'ok' if ok and not reports else 'FAIL':4} {name:<24} {how}"
              + "".join(f"\n       {r[:200]}" for r in reports[:5]), flush=True)
    print(f"sanitizer campaign: {len(names)} scenarios on the host build under ASan+UBSan in "
          f"{time.monotonic() - t0:.0f} s: {passed} passed their checks, {reported} with a sanitizer report; "
          f"captures in {runs_dir}")
    return 0 if passed == len(names) and not reported else 1


if __name__ == "__main__":
    sys.exit(main())
