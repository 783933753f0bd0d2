"""The nox sessions' own handling of their arguments (noxfile.py), without running a session."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def _session(*args: Any, **kwargs: Any) -> Any:
    """nox.session, as a decorator with or without arguments: the function unchanged."""
    return args[0] if args and callable(args[0]) else (lambda f: f)


def _noxfile(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """noxfile.py loaded as a module; nox itself (absent from the sessions' environments) stands in
    as far as loading the file needs: decorators and options."""
    if importlib.util.find_spec("nox") is None:
        monkeypatch.setitem(sys.modules, "nox", SimpleNamespace(session=_session, Session=object,
                                                                 options=SimpleNamespace()))
    spec = importlib.util.spec_from_file_location("stridelab_noxfile", REPO / "noxfile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("args, report", [
    (["--report", "d"], "d"),
    (["--report=d"], "d"),  # was ignored: the default report was used and cleared instead
    (["-k", "walk", "--report", "a", "--report=b"], "b"),
    (["--report"], ""),  # was None: the default report was cleared, then pytest refused the option
    (["--report", ""], ""),
    (["--report="], ""),
    ([], None),
])
def test_hil_finds_the_report_in_either_spelling(monkeypatch: pytest.MonkeyPatch, args: list[str],
                                                 report: str | None) -> None:
    assert _noxfile(monkeypatch).report_option(args) == report


def test_hil_clears_an_earlier_report_and_nothing_else(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # the whole directory was removed, whatever else it held (a --report of one's home, say)
    for d in ("entries", "plots", "captures", "notes"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "x").write_text("x")
    for f in ("index.html", "junit.xml", "pytest-junit-host.xml", "mine.txt"):
        (tmp_path / f).write_text("x")
    _noxfile(monkeypatch).clear_report(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt", "notes"]


class _Recorder:
    """A nox session that records what it would run."""

    def __init__(self, output: str = "") -> None:
        self.runs: list[tuple[str, ...]] = []
        self.posargs: list[str] = []
        self.output = output
        self.logged: list[str] = []

    def run(self, *args: str, **kwargs: Any) -> str:
        self.runs.append(args)
        return self.output

    def install(self, *args: str, **kwargs: Any) -> None:
        pass

    def log(self, message: str) -> None:
        self.logged.append(message)


def test_gen_regenerates_everything_lint_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    # lint checked the RSCS golden C test, which gen never wrote: a change there left lint failing after nox -s gen
    noxfile = _noxfile(monkeypatch)
    lint, gen = _Recorder(), _Recorder()
    noxfile.lint(lint)
    noxfile.gen(gen)
    checked = [run[:-1] for run in lint.runs if run[-1] == "--check"]
    assert checked and all(run in gen.runs for run in checked), (checked, gen.runs)


def test_fuzz_does_not_report_a_short_campaign_as_0_per_s(monkeypatch: pytest.MonkeyPatch) -> None:
    # nox -s fuzz -- -runs=20000 ended 'fuzz_frame: 20000 executions, 0 per s': libFuzzer's rate in whole seconds
    session = _Recorder("stat::number_of_executed_units: 20000\nstat::average_exec_per_sec:     0\n"
                        "stat::peak_rss_mb:              35\n")
    session.posargs = ["-runs=20000"]
    _noxfile(monkeypatch).fuzz(session)
    assert session.logged and all("0 per s" not in line and "20000 executions, all within a second" in line
                                  for line in session.logged), session.logged
