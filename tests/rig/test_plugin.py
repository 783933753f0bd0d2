"""The pytest plugin, through pytester: options, the target marker, skips with reasons."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_marker_selects_by_target(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.target("host")
        def test_on_host(): pass

        @pytest.mark.target("board")
        def test_on_board(): pass
        """
    )
    result = pytester.runpytest("--target", "host", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*runs on target(s) board; this session's --target is host*"])


def test_malformed_marker_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.target()
        def test_no_names(): pass

        @pytest.mark.target("hots")
        def test_typo(): pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=2)  # setup errors, never silent skips
    result.stdout.re_match_lines([r".*needs target names.*"])
    result.stdout.re_match_lines([r".*unknown target\(s\) \['hots'\].*"])


def test_unknown_target_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--target", "nowhere")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--target 'nowhere' is not a rig target; choose one of: host*"])


def test_unavailable_board_skips_with_reason(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STRIDELAB_PORT", raising=False)
    pytester.makepyfile("def test_needs_target(rig_target): pass")
    result = pytester.runpytest("--target", "board", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*target board unavailable: no board port given*"])


def test_port_for_a_target_that_starts_its_own_link_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("-p", "no:cacheprovider", "--target", "host", "--port", "/dev/ttyACM0")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--port is for the board target*"])


def test_a_target_given_twice_is_refused_not_the_last_one_taken(pytester: pytest.Pytester) -> None:
    """--target host --target qemu ran on qemu alone and skipped every host test, exit 0."""
    pytester.makepyfile("import pytest\n\n@pytest.mark.target('host')\ndef test_on_host(): pass\n")
    result = pytester.runpytest("--target", "host", "--target", "qemu")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--target given twice (host and qemu): it takes one value*"])
    pytester.runpytest("--target", "host", "--target", "host").assert_outcomes(passed=1)


@pytest.mark.parametrize("option, first, second", [("--shard", "1/2", "2/2"), ("--report", "a", "b"),
                                                   ("--shard-durations", "d1.json", "d2.json")])
def test_an_option_of_one_value_given_twice_is_refused(pytester: pytest.Pytester, option: str, first: str,
                                                       second: str) -> None:
    """--shard 1/2 --shard 2/2 ran shard 2 alone, --report a --report b wrote b alone, exit 0 (rig run refuses
    them: the one given first was dropped without a word)."""
    pytester.makepyfile("def test_x(): pass")
    for name in ("d1.json", "d2.json"):
        (pytester.path / name).write_text('{"host::walk": 1.0}')
    shard = ["--shard", "1/2"] if option == "--shard-durations" else []
    result = pytester.runpytest("-p", "no:cacheprovider", *shard, option, first, option, second)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{option} given twice ({first} and {second}): it takes one value*"])
    assert not (pytester.path / "a").exists() and not (pytester.path / "b").exists()


def test_shard_durations_without_a_shard_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """--shard-durations FILE without --shard ran every test, exit 0, as if it were the shard asked for."""
    pytester.makepyfile("def test_x(): pass")
    durations = pytester.path / "durations.json"
    durations.write_text('{"host::walk": 1.0}')
    result = pytester.runpytest("-p", "no:cacheprovider", "--shard-durations", str(durations))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--shard-durations {durations} balances --shard only; give --shard K/N too*"])


@pytest.mark.parametrize("workers", [["-n", "2"], ["--tx", "2*popen", "--dist", "load"]])
def test_one_board_port_for_several_workers_is_a_usage_error(pytester: pytest.Pytester, workers: list[str]) -> None:
    """--target board --port URL -n 2: each pytest-xdist worker opened the one board, and the tests of all but
    one failed as 'serial port ... is busy', held by a sibling worker."""
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("-p", "no:cacheprovider", "--target", "board", "--port", "socket://127.0.0.1:9",
                                *workers)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--port socket://127.0.0.1:9 is one board, and -n starts 2 pytest-xdist workers*"])
    one = pytester.runpytest("-p", "no:cacheprovider", "--target", "board", "--port", "socket://127.0.0.1:9", "-n", "1")
    assert "is one board" not in one.stderr.str()  # one worker: the port is checked as without -n (nothing listens)


@pytest.mark.parametrize("place", ["nucleo-1", "nucleo-1,nucleo-1"])
def test_fewer_places_than_workers_is_a_usage_error(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                                    place: str) -> None:
    """--target board --place nucleo-1 -n 2 (or a pool naming it twice): each pytest-xdist worker acquires a place for
    the session, and every test of the worker that found none free failed as 'no labgrid place ... acquired'."""
    import rig.targets.board

    monkeypatch.setattr(rig.targets.board, "labgrid_missing", lambda: None)
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("-p", "no:cacheprovider", "--target", "board", "--place", place, "-n", "2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--place nucleo-1 is 1 board(s), and -n starts 2 pytest-xdist workers*-n 1*"
                                 if place == "nucleo-1" else "*--place nucleo-1,nucleo-1: names nucleo-1 twice*"])


def test_report_as_without_a_report_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """--report-as NAME without --report ran the session as if no name had been given, and wrote no report."""
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("-p", "no:cacheprovider", "--report-as", "board-pty")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--report-as board-pty names the target in a report, and no --report DIR is given*"])
