"""Report directories: JUnit XML, an HTML page, a plot per run and the captures, for people and CI.

    DIR/
      index.html      one row per scenario and target (rig.report.html)
      junit.xml       one testcase per scenario per target, figures as properties (rig.report.junit)
      summary.md      totals and every run that did not simply pass (for $GITHUB_STEP_SUMMARY)
      durations.json  seconds each scenario took on each target (what --shard balances by)
      entries/        one JSON per scenario and target: what the pages are made from
      plots/          a PNG per run: waveform, truth, detected events, the first failing stride marked
      captures/       each run's capture files (unless the run directory is inside DIR already)

`rig run --report DIR`, `pytest --report DIR` and `nox -s hil -- --report DIR` write one;
`python -m rig.report merge OUT DIR...` merges several (CI jobs, shards) into OUT.
"""

from rig.report.directory import ReportDir, load_entries, merge_reports
from rig.report.entry import Entry, Figure, first_failing_stride, rerun_command

__all__ = ["Entry", "Figure", "ReportDir", "first_failing_stride", "load_entries", "merge_reports", "rerun_command"]
