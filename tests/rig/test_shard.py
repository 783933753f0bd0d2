"""--shard K/N: every item in exactly one shard, shards balanced by recorded durations."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rig.errors import RigError
from rig.shard import load_durations, parse_shard, shard_of, split, weights


@given(st.dictionaries(st.text("abcdefgh", min_size=1, max_size=6), st.floats(0, 1000), max_size=40),
       st.integers(1, 8))
def test_every_item_lands_in_exactly_one_shard(weight: dict[str, float], n: int) -> None:
    items = sorted(weight)
    shards = split(items, n, weight)
    assert sorted(i for s in shards for i in s) == items
    loads = [sum(weight[i] for i in s) for s in shards]
    # greedy longest-first: no shard exceeds the lightest by more than its own largest item
    for s, load in zip(shards, loads):
        if s:
            assert load - min(loads) <= max(weight[i] for i in s) + 1e-9


@given(st.dictionaries(st.text("abcdefgh", min_size=1, max_size=6), st.floats(0, 1000), max_size=12),
       st.integers(1, 30))
def test_more_shards_than_items_are_the_same_split(weight: dict[str, float], n: int) -> None:
    items = sorted(weight)
    full = split(items, n, weight)
    assert [shard_of(items, k, n, weight) for k in range(1, n + 1)] == full


def test_a_huge_shard_count_is_no_crash() -> None:
    items = ["a", "b", "c"]
    n = 99999999999999999999
    assert shard_of(items, 1, n, {"a": 1.0}) == ["a"]
    assert shard_of(items, n, n, {}) == []


@pytest.mark.parametrize("text", ["1/99999999999999999999", "1/257", "1/" + "9" * 5000, "9" * 5000 + "/3",
                                  "1/00000000000000000000000000300"])
def test_a_shard_count_past_the_maximum_is_refused(text: str) -> None:
    """--shard 1/99999999999999999999 was taken (shard 1 of that many: the whole list), and 5,000 digits ended in
    'Exceeds the limit (4300 digits) for integer string conversion', an INTERNALERROR of pytest."""
    with pytest.raises(RigError, match=r"--shard '.{1,80}': (at most 256 shards|give K/N with 1 <= K <= N)") as exc:
        parse_shard(text)
    assert len(str(exc.value)) < 250, str(exc.value)


def test_the_largest_shard_count_is_taken() -> None:
    assert parse_shard("256/256") == (256, 256)
    assert parse_shard(" 3 / 0256 ") == (3, 256)


def test_the_long_scenario_gets_a_shard_of_its_own() -> None:
    weight = {"run_30min": 60.0, "fatigue_run": 20.0, "sprint": 2.0, "walk": 3.0, "standing": 2.0, "intervals": 4.0}
    items = list(weight)
    assert shard_of(items, 1, 3, weight) == ["run_30min"]
    assert shard_of(items, 2, 3, weight) == ["fatigue_run"]
    assert shard_of(items, 3, 3, weight) == ["sprint", "walk", "standing", "intervals"]


def test_unrecorded_scenarios_are_weighed_by_their_length() -> None:
    durations = {"qemu::a": 10.0, "qemu::b": 30.0, "host::c": 999.0}
    lengths = {"a": 10.0, "b": 10.0, "c": 40.0}
    w = weights("qemu", ["a", "b", "c"], durations, lengths)
    assert w == {"a": 10.0, "b": 30.0, "c": 40.0 * 2.0}  # median ratio of recorded time to length: 2


@pytest.mark.parametrize("text", ["", "3", "0/2", "3/2", "a/b", "1/0", "-1/2"])
def test_bad_shard_is_refused_naming_the_option(text: str) -> None:
    with pytest.raises(RigError, match=r"--shard .*give K/N with 1 <= K <= N"):
        parse_shard(text)


def test_durations_file(tmp_path: Path) -> None:
    good = tmp_path / "d.json"
    good.write_text('{"qemu::sprint": 1.5}')
    assert load_durations(good) == {"qemu::sprint": 1.5}
    edited = tmp_path / "edited.json"  # saved by an editor that writes a byte-order mark: was 'Unexpected UTF-8 BOM'
    edited.write_bytes(b"\xef\xbb\xbf" + good.read_bytes())
    assert load_durations(edited) == {"qemu::sprint": 1.5}
    bad = tmp_path / "bad.json"
    bad.write_text('{"qemu::sprint": "fast"}')
    with pytest.raises(RigError, match="bad.json: must be a JSON object"):
        load_durations(bad)
    with pytest.raises(RigError, match="no such file"):
        load_durations(tmp_path / "missing.json")
    long = tmp_path / "long.json"
    long.write_text('{"qemu::sprint": 1' + "0" * 5000 + "}")  # was Python's advice: sys.set_int_max_str_digits()
    with pytest.raises(RigError, match=r"long.json: not a durations file \(.line 1: a number of 5001 digits") as err:
        load_durations(long)
    assert "set_int_max_str_digits" not in str(err.value)
    huge = tmp_path / "huge.json"
    huge.write_text('{"qemu::sprint": 1' + "0" * 400 + "}")  # a whole number no float holds: was OverflowError
    with pytest.raises(RigError, match="huge.json: must be a JSON object"):
        load_durations(huge)
