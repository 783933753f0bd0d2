"""Which lines and branches of the firmware the scenario catalog exercises: gcov on the host build.

The catalog (or the scenarios named) runs on the native firmware built with gcov counters
(`make -C firmware_c host-cov`), one scenario after the other; the counters of every run add up
in the build directory, and gcovr turns them into an HTML report, a line per source file with its
line and branch coverage, each file's lines marked as run or never reached.

    python -m rig.coverage_campaign [SCENARIO...] [--html DIR] [--runs-dir DIR] [--arm]

With --arm the same scenarios also run on the ARM image under QEMU with a TCG plugin that records
every instruction that ran (rig.arm_coverage): DIR/arm/index.html shows the image's lines.

prints one line per scenario, then line and branch coverage per file and in all; exit status 1
if a scenario failed its checks, 2 if gcovr is missing or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from rig.assertions import check_result
from rig.build import FIRMWARE_DIR, host_coverage_binary
from rig.errors import RigError
from rig.runner import new_run_dir, run_recording
from rig.once import Once
from rig.out_path import out_dir
from rig.targets.host import HostTarget
from rig.tool_args import refuse_repeats, scenario_name

#: Source directories of firmware_c/ whose coverage is reported (the ports for other boards never run here).
REPORTED = ("src", "gait/src", "gen", "drivers", "ports/host")
DEFAULT_HTML = Path("runs/coverage")
#: The files an earlier campaign's report holds: a --html directory holding them is one to replace.
REPORT_FILES = ("index.html", "summary.json")


def refusal_of_html_dir(html_dir: Path) -> str | None:
    """Why html_dir cannot take the report (it holds files of something other than an earlier report), else None.
    The report replaces the directory whole: gcovr wrote its pages among an earlier campaign's, whose pages of
    files no longer reported (and its arm/ page, from a run with --arm) stayed there, linked from nowhere but
    read as this campaign's."""
    try:
        held = sorted(p.name for p in html_dir.iterdir())
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"--html {html_dir}: cannot be read ({exc.strerror}); give a directory you can write"
    if not held or all((html_dir / name).is_file() for name in REPORT_FILES):
        return None
    return (f"--html {html_dir}: holds {len(held)} file(s) of no coverage report ({', '.join(held[:5])}"
            f"{', ...' if len(held) > 5 else ''}), which the report, replacing the directory whole, would delete; "
            "give a new or empty directory, or an earlier report's")


def replace_dir(new: Path, dest: Path) -> None:
    """Put the directory new in dest's place (a rename each), deleting what dest held: never half of either."""
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        dest.rename(old / dest.name)
    new.rename(dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def run_catalog(names: Sequence[str], runs_dir: Path, binary: Path) -> int:
    """Run each scenario on the coverage build; print a line each; return how many passed their checks."""
    from scenarios.catalog import synthesize

    passed = 0
    for name in names:
        rec = synthesize(name)
        run_dir = new_run_dir(runs_dir, name, "host-cov")
        t0 = time.monotonic()
        try:
            result = run_recording(HostTarget(binary=binary), rec, run_dir)
        except RigError as exc:
            print(f"FAIL {name:<24} error: {str(exc).splitlines()[0][:200]}", flush=True)
            continue
        assert rec.truth is not None
        ok = check_result(result, rec.truth).passed
        passed += ok
        print(f"{'ok' if ok else 'FAIL':4} {name:<24} {len(result.strides)} strides in {time.monotonic() - t0:.1f} s",
              flush=True)
    return passed


def gcovr(binary: Path, html_dir: Path) -> dict[str, object]:
    """Write the HTML report (html_dir/index.html) from the counters beside binary; return gcovr's JSON summary."""
    exe = shutil.which("gcovr") or (str(Path(sys.executable).parent / "gcovr")
                                     if (Path(sys.executable).parent / "gcovr").exists() else None)
    if exe is None:
        raise RigError("gcovr is not installed: pip install gcovr (nox -s coverage installs it)")
    html_dir.mkdir(parents=True, exist_ok=True)
    summary = html_dir / "summary.json"
    cmd = [exe, "--root", str(FIRMWARE_DIR), "--object-directory", str(binary.parent),
           *[arg for d in REPORTED for arg in ("--filter", str(FIRMWARE_DIR / d) + "/")],
           "--html-details", str(html_dir / "index.html"), "--html-title", "Stridelab firmware: coverage by the scenario catalog",
           "--json-summary-pretty", "--json-summary", str(summary), "--txt", "-", "--print-summary"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RigError(f"gcovr failed (exit {proc.returncode}): {proc.stderr[-2000:]}\n  command: {' '.join(cmd)}")
    print(proc.stdout)
    doc: dict[str, object] = json.loads(summary.read_text())
    return doc


def main(argv: Sequence[str] | None = None) -> int:
    """Run the catalog on the coverage build, write the HTML report, print the figures."""
    from scenarios.catalog import list_scenarios

    ap = argparse.ArgumentParser(prog="python -m rig.coverage_campaign", description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("scenarios", nargs="*", type=scenario_name, help="default: the whole catalog")
    # an empty one was the current directory: gcovr's index.html and a page per source file among its files
    ap.add_argument("--html", action=Once, type=out_dir("--html"), default=DEFAULT_HTML, metavar="DIR",
                    help="where the HTML report goes")
    ap.add_argument("--runs-dir", action=Once, type=out_dir("--runs-dir"), default=None)
    ap.add_argument("--arm", action="store_true",
                    help="also the ARM image's lines under QEMU (a TCG plugin), in DIR/arm/index.html")
    args = ap.parse_args(argv)
    refuse_repeats(ap, args.scenarios)
    refusal = refusal_of_html_dir(args.html)
    if refusal:
        ap.error(refusal)
    new_html: Path | None = None
    try:
        names = args.scenarios or [s.name for s in list_scenarios()]
        runs_dir = args.runs_dir or Path(tempfile.mkdtemp(prefix="coverage-campaign-"))
        binary = host_coverage_binary()
        for stale in binary.parent.glob("*.gcda"):
            stale.unlink()  # counters of this campaign only
        t0 = time.monotonic()
        passed = run_catalog(names, runs_dir, binary)
        html = args.html.resolve()
        html.parent.mkdir(parents=True, exist_ok=True)
        new_html = Path(tempfile.mkdtemp(prefix=f".{html.name}.new-", dir=html.parent))
        umask = os.umask(0o022)
        os.umask(umask)
        new_html.chmod(0o777 & ~umask)  # as a directory made by mkdir, not mkdtemp's owner-only
        doc = gcovr(binary, new_html)
        if args.arm:
            from rig.arm_coverage import arm_report

            arm_ran, arm_code, arm_passed = arm_report(names, runs_dir, new_html / "arm")
            passed = min(passed, arm_passed)
            print(f"ARM image under QEMU: {arm_ran} of {arm_code} source lines with code ran "
                  f"({100.0 * arm_ran / max(arm_code, 1):.1f} %); report {args.html / 'arm' / 'index.html'}")
        replace_dir(new_html, html)
    except (RigError, KeyError, OSError) as exc:
        print(f"coverage: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if new_html is not None and new_html.exists():
            shutil.rmtree(new_html, ignore_errors=True)  # a report cut short: the earlier one stays as it was
    print(f"coverage of the firmware by {len(names)} scenarios ({passed} passed their checks) in "
          f"{time.monotonic() - t0:.0f} s: lines {doc.get('line_percent')} % ({doc.get('line_covered')} of "
          f"{doc.get('line_total')}), branches {doc.get('branch_percent')} % ({doc.get('branch_covered')} of "
          f"{doc.get('branch_total')}); report {args.html / 'index.html'}")
    return 0 if passed == len(names) else 1


if __name__ == "__main__":
    sys.exit(main())
