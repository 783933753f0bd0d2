"""The ARM image's coverage under QEMU: which source lines of the image the catalog ran.

Each scenario runs on the qemu target with the pc_cover TCG plugin, which writes the address of
every instruction that ran; the addresses of all runs are joined and mapped to source lines
through the image's DWARF line table (rig.symbolize). The page lists each firmware source file
with the lines it has code for and those that ran, and shows every line that never did.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from rig.build import FIRMWARE_DIR, arm_elf
from rig.errors import RigError
from rig.runner import new_run_dir, run_recording
from rig.symbolize import code_lines, lines_run
from rig.targets.qemu import QemuTarget

COVER_FILE = "pc_cover.txt"


def read_addresses(path: Path) -> set[int]:
    """The addresses a pc_cover file lists; RigError when the plugin's tables overflowed or the file is missing."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise RigError(f"{path}: the coverage plugin wrote nothing ({exc.strerror}); see target.log beside it") from None
    if text.startswith("overflow"):
        raise RigError(f"{path}: the coverage plugin's tables overflowed; its counts are incomplete")
    return {int(word, 16) for word in text.split()}


def run_scenarios(names: Sequence[str], runs_dir: Path) -> tuple[set[int], int]:
    """(addresses that ran in any run, scenarios that passed their checks) of names on qemu."""
    from rig.assertions import check_result
    from scenarios.catalog import synthesize

    addresses: set[int] = set()
    passed = 0
    for name in names:
        rec = synthesize(name)
        run_dir = new_run_dir(runs_dir, name, "qemu-cov")
        try:
            result = run_recording(QemuTarget(cover_out=run_dir / COVER_FILE), rec, run_dir)
        except RigError as exc:
            print(f"FAIL {name:<24} on qemu: error: {str(exc).splitlines()[0][:200]}", flush=True)
            continue
        assert rec.truth is not None
        ok = check_result(result, rec.truth).passed
        passed += ok
        addresses |= read_addresses(run_dir / COVER_FILE)
        print(f"{'ok' if ok else 'FAIL':4} {name:<24} on qemu: {len(addresses)} instruction addresses so far", flush=True)
    return addresses, passed


def coverage(elf: Path, addresses: set[int]) -> dict[str, tuple[set[int], set[int]]]:
    """file -> (lines with code, lines that ran) for the firmware's own sources (not newlib or libgcc)."""
    code = code_lines(elf)
    ran = lines_run(elf, addresses)
    return {f: (lines, ran.get(f, set()) & lines) for f, lines in sorted(code.items())
            if f.startswith("firmware_c/")}


def write_page(cov: dict[str, tuple[set[int], set[int]]], out_dir: Path, title: str) -> tuple[int, int]:
    """out_dir/index.html: a row per file, then each file's lines that never ran; returns (ran, with code) in all."""
    out_dir.mkdir(parents=True, exist_ok=True)
    total_code = sum(len(c) for c, _ in cov.values())
    total_ran = sum(len(r) for _, r in cov.values())
    rows, details = [], []
    for f, (code, ran) in cov.items():
        pct = 100.0 * len(ran) / len(code) if code else 100.0
        rows.append(f"<tr><td><a href=\"#{html.escape(f)}\">{html.escape(f)}</a></td><td>{len(ran)}</td>"
                    f"<td>{len(code)}</td><td>{pct:.1f} %</td></tr>")
        try:
            source = (FIRMWARE_DIR.parent / f).read_text(errors="replace").splitlines()
        except OSError:
            source = []
        lines = []
        for n, text in enumerate(source, 1):
            cls = "run" if n in ran else ("never" if n in code else "")
            lines.append(f'<span class="{cls}">{n:5d}  {html.escape(text)}</span>')
        details.append(f"<details id=\"{html.escape(f)}\"><summary>{html.escape(f)}: {len(code) - len(ran)} line(s) "
                       f"never ran</summary><pre>{chr(10).join(lines)}</pre></details>")
    page = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title><style>"
            "body{font:14px system-ui,sans-serif;margin:1.5em} td,th{padding:2px 10px;text-align:left}"
            "pre{font-size:12px} .run{background:#d9f2d9} .never{background:#f9d6d5}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{total_ran} of {total_code} source lines with code ran "
            f"({100.0 * total_ran / max(total_code, 1):.1f} %); green ran, red never did.</p>"
            "<table><tr><th>file</th><th>lines run</th><th>lines with code</th><th></th></tr>"
            + "".join(rows) + "</table>" + "".join(details) + "</body></html>\n")
    (out_dir / "index.html").write_text(page)
    return total_ran, total_code


def arm_report(names: Sequence[str], runs_dir: Path, out_dir: Path) -> tuple[int, int, int]:
    """Run names on qemu with the plugin and write the page; (lines run, lines with code, scenarios passed)."""
    elf = arm_elf()
    addresses, passed = run_scenarios(names, runs_dir)
    ran, code = write_page(coverage(elf, addresses), out_dir, "Stridelab ARM image: lines the scenario catalog ran under QEMU")
    return ran, code, passed
