"""python -m rig.report merge OUT DIR... [--summary FILE]: one report from several (CI jobs, shards).

Exit status: 0 when every run passed, 1 when one failed or did not complete, 2 on bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rig.errors import RigError
from rig.once import Once
from rig.out_path import out_dir, out_file
from rig.report.directory import merge_reports, summary_markdown
from rig.tool_args import in_file
from scenarios.whole_file import open_fifo_for_writing


def _summary_file(text: str) -> Path:
    """argparse type of --summary: a file the summary can be appended to, checked before the merge (a directory, or
    one under a read-only directory, was found only once the merged report had been written)."""
    in_file("the file to append the summary to (e.g. $GITHUB_STEP_SUMMARY), or leave --summary out")(text)
    return out_file("--summary")(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Merge report directories; append the Markdown summary to --summary (e.g. $GITHUB_STEP_SUMMARY)."""
    ap = argparse.ArgumentParser(prog="python -m rig.report", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("merge", help="merge report directories into one")
    # an empty path (an unset $VAR) is the current directory: OUT merged into whatever is there
    p.add_argument("out", type=out_dir("OUT"), metavar="OUT")
    p.add_argument("sources", type=in_file("a report directory (rig run --report DIR)"), nargs="+", metavar="DIR")
    # checked before the merge, as other outputs: a directory or a path nothing can be written at was found only
    # once the merged report had been written (exit 2 after the work)
    p.add_argument("--summary", action=Once, type=_summary_file, metavar="FILE",
                   help="append the Markdown summary to FILE")
    p.add_argument("--title", action=Once, default="Stridelab scenario report")
    args = ap.parse_args(argv)
    try:
        if args.summary is not None and not args.summary.parent.is_dir():  # appended to, so never made
            raise RigError(f"--summary {args.summary}: its directory {args.summary.parent} is not there; give a file "
                           "in a directory that is (e.g. $GITHUB_STEP_SUMMARY)")
        entries = merge_reports(args.out, args.sources, args.title)
        text = summary_markdown(entries, args.title)
        if args.summary is not None:
            try:
                fifo = open_fifo_for_writing(args.summary)  # one nobody reads held the merge for ever
                with (open(args.summary, "a", encoding="utf-8") if fifo is None
                      else os.fdopen(fifo, "w", encoding="utf-8")) as f:
                    f.write(text)
            except OSError as exc:
                raise RigError(f"--summary {args.summary}: cannot append to it ({exc.strerror})") from None
    except RigError as exc:
        print(f"rig.report merge: error: {exc}", file=sys.stderr)
        return 2
    print(text)
    print(f"report: {args.out / 'index.html'}")
    return 0 if all(e.verdict == "passed" for e in entries) else 1


if __name__ == "__main__":
    sys.exit(main())
