"""Bad recordings and sidecars a careless or hostile user may give: each is refused by a
RecordingError naming the file (and the row or key), the problem and what to do, in bounded
time and memory, with a message of bounded size."""

from __future__ import annotations

import json
import os
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from scenarios import Recording, RecordingError, read_recording, synthesize, write_recording
from scenarios import input_file

HEADER = "t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps"
ROW = "0,0,1,0,0,0"
MAX_MESSAGE_CHARS = 600


def _csv(tmp_path: Path, times: list[float] | np.ndarray, name: str = "rec.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "".join(f"{float(t)!r},{ROW}\n" for t in times))
    return path


def _refused(path: Path, *words: str) -> str:
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    msg = str(err.value)
    assert str(path) in msg, msg
    assert ";" in msg, msg  # what to do follows the problem
    for word in words:
        assert word in msg, msg
    assert len(msg) < MAX_MESSAGE_CHARS + len(str(path)), msg[:2000]
    return msg


# -- timing the firmware cannot take ------------------------------------------------------

def test_rows_a_tenth_of_a_microsecond_apart(tmp_path: Path) -> None:
    _refused(_csv(tmp_path, [0.0, 1e-7]), "line 3", "sample rate", "Hz")


@pytest.mark.parametrize("odr_hz", [10.0, 10000.0])
def test_the_edges_of_the_rate_range_read_back(tmp_path: Path, odr_hz: float) -> None:
    # times written to the microsecond put a 10,000 Hz recording at 10000.00000002 Hz: refused
    n = 3000
    acc = np.tile([0.0, 0.0, 1.0], (n, 1))
    rec = Recording("edge", odr_hz, np.arange(n) / odr_hz, acc, np.zeros((n, 3)))
    write_recording(rec, tmp_path / "edge.csv")
    assert read_recording(tmp_path / "edge.csv").odr_hz == pytest.approx(odr_hz, rel=1e-6)


def test_one_row(tmp_path: Path) -> None:
    _refused(_csv(tmp_path, [0.0]), "line 2", "only one sample")


def test_sampling_at_a_tenth_of_a_hertz(tmp_path: Path) -> None:
    _refused(_csv(tmp_path, [0.0, 10.0, 20.0, 30.0]), "line 3", "sample rate", "0.1 Hz")


def test_gap_longer_than_the_link_times_span(tmp_path: Path) -> None:
    times = list(np.arange(100) / 416.0) + [1e7]
    _refused(_csv(tmp_path, times), "line 102", "gap")


def test_gaps_that_overflow_the_sample_index(tmp_path: Path) -> None:
    # each gap is short enough for the link, but together they pass 2^32 samples at 10 kHz
    fine = list(np.arange(600) * 1e-4)
    times = fine + [fine[-1] + 2000.0 * (k + 1) for k in range(250)]
    # 2^32 / 1e4 Hz = 429,497 s: the 215th gap row (line 1 + 600 + 215) is the first past it
    _refused(_csv(tmp_path, times), "line 816", "sensor index")


# -- what is not a recording file --------------------------------------------------------

def test_dev_zero_is_refused_at_once() -> None:
    _refused(Path("/dev/zero"), "character device")


def test_directory_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, "directory")


def test_fifo_without_a_writer_is_refused_in_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(input_file, "PIPE_WAIT_S", 0.3)
    fifo = tmp_path / "nobody.csv"
    os.mkfifo(fifo)
    t0 = time.monotonic()
    _refused(fifo, "pipe delivered nothing")
    assert time.monotonic() - t0 < 60  # a bound, not a speed figure: it used to hang forever


def test_fifo_with_a_writer_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "live.csv"
    os.mkfifo(fifo)
    text = HEADER + "\n" + "".join(f"{k / 100!r},{ROW}\n" for k in range(300))

    def write() -> None:
        time.sleep(0.2)  # the writer comes after the reader
        with open(fifo, "w") as f:
            f.write(text)

    th = threading.Thread(target=write)
    th.start()
    try:
        rec = read_recording(fifo)
    finally:
        th.join()
    assert len(rec.t_s) == 300 and rec.odr_hz == pytest.approx(100.0)


def test_ten_megabyte_line_gives_a_short_message(tmp_path: Path) -> None:
    path = tmp_path / "oneline.csv"
    path.write_bytes(b"x" * (10 << 20))
    _refused(path, "line 1", "longer than")


def test_long_field_is_quoted_briefly(tmp_path: Path) -> None:
    path = tmp_path / "longfield.csv"
    path.write_text(f"{HEADER}\n0,{ROW}\n0.01,{'9' * 20 + 'x' * 3000},0,1,0,0,0\n")
    _refused(path, "line 3", "ax_g", "...")


def test_long_header_is_quoted_briefly(tmp_path: Path) -> None:
    path = tmp_path / "longheader.csv"
    path.write_text(",".join(f"col{k}" for k in range(600)) + "\n" + "0," * 599 + "0\n")
    _refused(path, "line 1", "header lacks")


def test_header_naming_a_column_twice(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(HEADER + ",ax_g\n" + "".join(f"{k / 100!r},0,0,1,0,0,0,9\n" for k in range(50)))
    _refused(path, "line 1", "ax_g more than once")


@pytest.mark.parametrize("field", ["1_0", "\u0661.5", "\uff11.0", "0x1"])
def test_numbers_python_reads_but_a_csv_parser_does_not(tmp_path: Path, field: str) -> None:
    # were refused as "rows could not be parsed; check the delimiter is a comma"
    path = tmp_path / "odd.csv"
    path.write_text(HEADER + "\n" + "".join(f"{k / 100!r},{field if k == 7 else 0},0,1,0,0,0\n" for k in range(50)))
    _refused(path, "line 9", "column ax_g", "is not a number")


def test_values_near_the_largest_float_read_without_a_warning(tmp_path: Path) -> None:
    # numpy's "overflow encountered in multiply" went to stderr beside the rig's own note
    path = tmp_path / "spikes.csv"
    path.write_text(HEADER + "\n" + "".join(f"{k / 100!r},{'1e300' if k == 7 else 0},0,1,0,{'-1e300' if k == 9 else 0},0\n"
                                             for k in range(50)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = read_recording(path)
    assert rec.acc_g[7, 0] == 1e300 and rec.gyro_dps[9, 1] == -1e300


def test_an_accelerometer_past_1e154_g_throughout_is_refused_without_a_warning(tmp_path: Path) -> None:
    # every |a| squared to inf: numpy's 'RuntimeWarning: invalid value encountered in subtract', with its source
    # line, went to stderr above the rig's refusal
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + "\n" + "".join(f"{k / 100!r},1e300,0,1,0,0,0\n" for k in range(100)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _refused(path, "|a| is inf (median) where the foot is still", "the columns ax_g, ay_g, az_g are in g")


def test_lines_ended_by_cr_alone(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes((HEADER + "\r" + "".join(f"{k / 100!r},{ROW}\r" for k in range(50))).encode())
    _refused(path, "line 1", "carriage return", "LF")


def test_long_recording_ended_by_cr_alone(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes((HEADER + "\r" + "".join(f"{k / 100!r},{ROW}\r" for k in range(2000))).encode())
    _refused(path, "line 1", "carriage return", "LF")


def test_one_row_ended_by_cr_alone(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    rows = [f"{k / 100!r},{ROW}" for k in range(50)]
    path.write_bytes((HEADER + "\r\n" + "\r\n".join(rows[:10]) + "\r" + "\r\n".join(rows[10:]) + "\r\n").encode())
    _refused(path, "line 11", "carriage return")


def test_binary_data_holding_carriage_returns_is_no_text(tmp_path: Path) -> None:
    """Binary data (a logger's raw output piped to rig replay -) was refused as 'lines ended by CR alone', a text
    file's fault it does not have; its first line is no text at all."""
    path = tmp_path / "raw.csv"
    path.write_bytes(bytes(range(128, 256)) + b"\r" + bytes(range(256)) * 3 + b"\n" + HEADER.encode() + b"\n")
    msg = _refused(path, "raw.csv, line 1: not UTF-8 text (byte 0x80", "give a CSV text file")
    assert "carriage return" not in msg, msg


def test_utf16_csv(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes((HEADER + "\n" + "".join(f"{k / 100!r},{ROW}\n" for k in range(50))).encode("utf-16"))
    _refused(path, "UTF-16", "UTF-8")


def test_crlf_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "dos.csv"
    path.write_bytes((HEADER + "\r\n" + "".join(f"{k / 100!r},{ROW}\r\n" for k in range(50))).encode())
    assert len(read_recording(path).t_s) == 50


def test_non_utf8_csv(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{HEADER}\n0,{ROW}\n".encode() + b"0.01,0,0,1,0,0,0 \xe9\n")
    _refused(path, "line 3", "column gz_dps", "is not a number (it holds bytes that are no UTF-8 text)")


def test_too_many_samples_is_refused_by_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scenarios import recording_csv

    monkeypatch.setattr(recording_csv, "MAX_SAMPLES", 1000)
    _refused(_csv(tmp_path, np.arange(1500) / 100.0), "line 1002", "more than 1000 samples")


def test_big_file_is_read_in_bounded_pieces(tmp_path: Path) -> None:
    # Many chunks of the stream reader: the result equals the one-piece parse.
    times = np.arange(100_000) / 416.0
    rec = read_recording(_csv(tmp_path, times))
    np.testing.assert_allclose(rec.t_s, times)
    assert rec.odr_hz == pytest.approx(416.0)


def test_time_going_back_across_a_chunk_boundary(tmp_path: Path) -> None:
    from scenarios import recording_csv

    n = recording_csv._ROWS_PER_CHUNK
    times = list(np.arange(n + 10) / 416.0)
    times[n] = times[n - 1]  # first row of the second chunk repeats the last of the first's time
    path = _csv(tmp_path, times)
    lines = path.read_text().splitlines()
    lines[n + 1] = lines[n + 1].replace(",0,1,", ",0.5,1,", 1)  # with other values: no copy of it
    path.write_text("\n".join(lines) + "\n")
    _refused(path, f"line {n + 2}", "increase")


# -- truth sidecars ------------------------------------------------------------------------

def _with_sidecar(tmp_path: Path, doc: object | str | bytes) -> Path:
    path = _csv(tmp_path, np.arange(50) / 100.0, "x.csv")
    side = tmp_path / "x.truth.json"
    if isinstance(doc, bytes):
        side.write_bytes(doc)
    else:
        side.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


SIDECARS: dict[str, tuple[object | str | bytes, tuple[str, ...]]] = {
    "strides a string": ({"strides": "abc"}, ("strides", "not a list")),
    "a null stride": ({"strides": [None]}, ("strides[0]", "not an object")),
    "stride without ic_s": ({"strides": [{"tc_s": 1.0}]}, ("strides[0]", "ic_s")),
    "ic_s a string": ({"strides": [{"ic_s": "abc"}]}, ("strides[0].ic_s", "not a number")),
    "ic_s true": ({"strides": [{"ic_s": True}]}, ("strides[0].ic_s", "not a number")),
    "strike unknown word": ({"strides": [{"ic_s": 1.0, "strike": "toe"}]}, ("strike", "heel")),
    "gyro full scale Infinity": ('{"strides": [], "meta": {"gyro_fs_dps": Infinity}}', ("Infinity", "finite")),
    "NaN distance": ('{"strides": [], "distance_m": NaN}', ("NaN", "finite")),
    "accel full scale a list": ({"strides": [], "meta": {"accel_fs_g": [16]}}, ("meta.accel_fs_g", "not a number")),
    "accel full scale 2.5 g": ({"strides": [], "meta": {"accel_fs_g": 2.5}}, ("meta.accel_fs_g", "2.5", "2, 4, 8, 16")),
    "gyro full scale 300 dps": ({"events": [], "gyro_fs_dps": 300}, ("gyro_fs_dps", "300", "2000")),
    "footprints of one number": ({"events": [], "footprints_m": [[0.0], [1.0]]}, ("footprints_m[0]",)),
    # a path of 0 m: rig bench judged no distance and said nothing of it
    "one footprint": ({"events": [], "footprints_m": [[0.5, 1.0]]},
                      ("footprints_m holds 1 footprint(s), a path of 0 m", "two or more apart")),
    "one footprint twice": ({"events": [], "footprints_m": [[0.5, 1.0], [0.5, 1.0]]}, ("holds 2 footprint(s)",)),
    "footprints a string": ({"events": [], "footprints_m": "far"}, ("footprints_m", "not a list")),
    "footprints with text": ({"events": [], "footprints_m": [[0, 0], [1, "a"]]}, ("footprints_m[1][1]",)),
    "events not objects": ({"events": [1.0, 2.0]}, ("events[0]", "not an object")),
    "event tc_s text": ({"events": [{"ic_s": 1.0, "tc_s": "x"}]}, ("events[0].tc_s",)),
    # a misspelt activity (or one that is no word) was read as none: the recording's activity went unjudged
    "activity misspelt": ({"events": [{"ic_s": 0.1}], "label_windows_s": [[0, 0.4]], "activity": "walkng"},
                          ("activity is '\"walkng\"', no activity the rig knows", "did you mean walking?")),
    "activity a number": ({"events": [], "activity": 3}, ("activity is '3', not a word", "write one of walking")),
    # a misspelt toe-off was passed by: the contact read as one of unknown TC, its contact time unjudged
    "event toe-off misspelt": ({"events": [{"ic_s": 0.1, "tc_s": 0.2}, {"ic_s": 0.3, "tc": 0.4}]},
                               ("events[1] names 'tc'", "did you mean tc_s?", "leave it out")),
    "label window backwards": ({"events": [], "label_window_s": [5.0, 1.0]}, ("label_window_s", "before")),
    "label window of three": ({"events": [], "label_window_s": [1, 2, 3]}, ("label_window_s", "3 values")),
    "step count negative": ({"events": [], "step_count": -3}, ("step_count",)),
    "activity seconds text": ({"strides": [], "activity_s": {"run": "long"}}, ("activity_s.run",)),
    "integer of 400 digits": ('{"strides": [{"ic_s": 1' + "0" * 400 + "}]}", ("strides[0].ic_s", "finite")),
    # a number past a float's range was named 'inf', a value the file never held
    "a time of 1e400": ('{"strides": [{"ic_s": 0.1, "tc_s": -1E999}]}', ("strides[0].tc_s is '-1E999', not a finite",)),
    # past 4300 digits json.loads gave Python's advice ('use sys.set_int_max_str_digits() to increase the limit')
    "integer of 5000 digits": ('{"strides": [\n{"ic_s": -1' + "0" * 4999 + "}]}",
                               ("x.truth.json, line 2: a number of 5000 digits ('-1000000000000000000'...)",
                                "write a plain JSON number")),
    "nested 5000 deep": ("[" * 5000 + "]" * 5000, ("nested 5000 deep",)),
    "nested in a key": ('{"meta": ' + "[" * 5000 + "]" * 5000 + "}", ("nested",)),
    "non-UTF-8": (b'{"strides": [], "meta": {"who": "\xff\xfe"}}', ("not UTF-8",)),
    "a JSON list": ([1, 2], ("not a JSON object",)),
    "huge string value": ({"strides": [{"ic_s": "y" * 100_000}]}, ("strides[0].ic_s", "...")),
    # labels that contradict themselves: scored as they are, they charge the analyzer with their errors
    "event toe-off before its contact": ({"events": [{"ic_s": 1.0, "tc_s": 0.8}]}, ("events[0].tc_s", "not after")),
    "event toe-off after the next contact": ({"events": [{"ic_s": 1.0, "tc_s": 2.5}, {"ic_s": 2.0}]},
                                             ("events[0].tc_s", "next contact", "events[1]")),
    "an event given twice": ({"events": [{"ic_s": 2.0}, {"ic_s": 1.0}, {"ic_s": 2.0}]}, ("events[0]", "events[2]")),
    "stride toe-off at its contact": ({"strides": [{"ic_s": 1.0, "tc_s": 1.0}]}, ("strides[0].tc_s",)),
    "stride contact time negative": ({"strides": [{"ic_s": 1.0, "gct_ms": -250.0}]}, ("strides[0].gct_ms",)),
    "stride contact time not its own": ({"strides": [{"ic_s": 1.0, "tc_s": 1.25, "gct_ms": 900.0}]},
                                        ("strides[0].gct_ms", "250")),
    # values no foot has, read as labels (a strike angle of 1e6 deg gave an FSA error of 27,777 deg)
    "strike angle past vertical": ({"strides": [{"ic_s": 0.1, "fsa_deg": 1e6}]}, ("strides[0].fsa_deg", "-90..90")),
    "eversion past vertical": ({"strides": [{"ic_s": 0.1, "pronation_deg": -120}]}, ("strides[0].pronation_deg",)),
    "stride length negative": ({"strides": [{"ic_s": 0.1, "stride_m": -1.2}]}, ("strides[0].stride_m", ">= 0 m")),
    "speed negative": ({"strides": [{"ic_s": 0.1, "speed_mps": -3}]}, ("strides[0].speed_mps",)),
    "impact negative": ({"strides": [{"ic_s": 0.1, "impact_g": -2}]}, ("strides[0].impact_g",)),
    "distance negative": ({"strides": [], "distance_m": -5}, ("distance_m is -5 m",)),
    "activity no activity": ({"strides": [], "activity_s": {"swim": 3}}, ("activity_s.'swim'", "still, walk")),
    "activity seconds negative": ({"strides": [], "activity_s": {"run": -3}}, ("activity_s.run", ">= 0 s")),
    # another format or version, or both formats at once: read as this one, a part silently ignored
    "another format": ({"format": "other", "strides": []}, ("format is '\"other\"'", "stridelab-truth")),
    "another version": ({"format": "stridelab-truth", "version": 99, "strides": []}, ("version is '99'", "version 1")),
    "strides and events": ({"strides": [{"ic_s": 0.1}], "events": [{"ic_s": 0.2}]}, ("beside strides", "not both")),
    # a misspelt key of our format was passed by: 'stides' read as no strides labelled, 'gct_m' as no contact time
    "our format, strides misspelt": ({"format": "stridelab-truth", "stides": [{"ic_s": 0.1}]},
                                     ("the document names 'stides'", "did you mean strides?", "move it under meta")),
    "our format, a stride key misspelt": ({"format": "stridelab-truth", "strides": [{"ic_s": 0.1, "gct_m": 200}]},
                                          ("strides[0] names 'gct_m'", "did you mean gct_ms?", "leave it out")),
    # without the format named, a document of strides is of it all the same: its misspelt keys were passed by
    "strides, a stride key misspelt": ({"strides": [{"ic_s": 0.1, "tc_s": 0.3}, {"ic_s": 0.4, "gct_m": 200}]},
                                       ("strides[1] names 'gct_m'", "did you mean gct_ms?", "leave it out")),
    "strides, the label window misspelt": ({"strides": [{"ic_s": 0.1}], "label_window": [0.0, 0.2]},
                                           ("the document names 'label_window'", "did you mean label_window_s?")),
}


@pytest.mark.parametrize("case", sorted(SIDECARS))
def test_bad_sidecar_names_file_key_and_fix(tmp_path: Path, case: str) -> None:
    doc, words = SIDECARS[case]
    path = _with_sidecar(tmp_path, doc)
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    msg = str(err.value)
    assert "x.truth.json" in msg and ";" in msg, msg
    for word in words:
        assert word in msg, msg
    assert len(msg) < MAX_MESSAGE_CHARS + len(str(tmp_path)), msg[:2000]


# The recording of _with_sidecar: 50 rows at 100 Hz, 0 to 0.49 s.
ALIEN_SIDECARS: dict[str, tuple[object, tuple[str, ...]]] = {
    "our rate twice the timestamps'": ({"strides": [], "meta": {"odr_hz": 200}}, ("odr_hz says 200 Hz", "100 Hz")),
    "a labelled rate half the timestamps'": ({"events": [], "sample_rate_hz": 50.0}, ("sample_rate_hz", "50 Hz")),
    "contacts in milliseconds": ({"events": [{"ic_s": 120.0}, {"ic_s": 250.0}]}, ("120 s", "outside", "0.49")),
    "a stride after the end": ({"strides": [{"ic_s": 0.2}, {"ic_s": 7.0}]}, ("contact 2 of 2", "outside")),
    "a label window after the end": ({"events": [], "label_window_s": [100.0, 200.0]}, ("label window", "outside")),
}


def test_sidecar_rate_that_is_a_word(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match=r"x\.truth\.json: sample_rate_hz is .*fast.*, not a sample rate; write"):
        read_recording(_with_sidecar(tmp_path, {"events": [], "sample_rate_hz": "fast"}))


@pytest.mark.parametrize("case", sorted(ALIEN_SIDECARS))
def test_sidecar_that_does_not_fit_its_recording(tmp_path: Path, case: str) -> None:
    doc, words = ALIEN_SIDECARS[case]
    msg = _refused(_with_sidecar(tmp_path, doc), *words)
    assert "x.truth.json" in msg


def test_a_labelled_mix_of_activities_is_no_activity(tmp_path: Path) -> None:
    rec = read_recording(_with_sidecar(tmp_path, {"events": [{"ic_s": 0.2}], "label_windows_s": [[0.0, 0.4]],
                                                   "activity": "mixed_walking_running"}))
    assert rec.truth is not None and rec.truth.strides[0].activity is None


def test_sidecar_that_fits_is_read(tmp_path: Path) -> None:
    rec = read_recording(_with_sidecar(tmp_path, {"strides": [{"ic_s": 0.2, "tc_s": 0.4}], "meta": {"odr_hz": 101.0},
                                                   "label_windows_s": [[0.1, 9.0]]}))
    assert rec.truth is not None and [s.ic_s for s in rec.truth.strides] == [0.2]


@pytest.mark.parametrize("window", [[0.1, 1e9], [-1e308, 1e308], [-5.0, 0.3]])
def test_a_label_window_past_the_recording_is_cut_to_it(tmp_path: Path, window: list[float]) -> None:
    """Scored as written, [0, 1e9] was tiled into 10 s cadence windows for ever (rig bench hung), and
    [-1e308, 1e308] ended in 'cannot convert float NaN to integer'; past the recording a window labels nothing."""
    rec = read_recording(_with_sidecar(tmp_path, {"strides": [{"ic_s": 0.2}], "label_windows_s": [window]}))
    assert rec.truth is not None
    ((a, b),) = rec.truth.label_windows_s
    assert (a, b) == (max(window[0], -0.01), min(window[1], 0.5))


def test_sidecar_fifo_without_a_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(input_file, "PIPE_WAIT_S", 0.3)
    path = _csv(tmp_path, np.arange(50) / 100.0, "x.csv")
    os.mkfifo(tmp_path / "x.truth.json")
    with pytest.raises(RecordingError, match=r"x\.truth\.json: the pipe delivered nothing"):
        read_recording(path)


@pytest.mark.parametrize("leads_to, words", [("missing.json", "No such file"),
                                              ("x.truth.json", "Too many levels of symbolic links")])
def test_sidecar_link_that_leads_nowhere(tmp_path: Path, leads_to: str, words: str) -> None:
    """A sidecar that is a symbolic link to no file (dangling, or leading back to itself) was passed over as no
    sidecar: rig bench said 'no ground truth beside it', rig replay judged the recording with no truth."""
    path = _csv(tmp_path, np.arange(50) / 100.0, "x.csv")
    (tmp_path / "x.truth.json").symlink_to(leads_to)
    with pytest.raises(RecordingError, match=rf"x\.truth\.json: cannot read the truth file \({words}.*\); check"):
        read_recording(path)


def test_declared_full_scales_are_honoured(tmp_path: Path) -> None:
    rec = synthesize("standing")
    rec.accel_fs_g, rec.gyro_fs_dps = 8.0, 500.0
    write_recording(rec, tmp_path / "s.csv")
    back = read_recording(tmp_path / "s.csv")
    assert (back.accel_fs_g, back.gyro_fs_dps) == (8.0, 500.0)


def test_real_sidecars_still_read() -> None:
    from scenarios.datasets import list_datasets

    for path in list_datasets():
        rec = read_recording(path)
        assert rec.truth is not None and rec.truth.meta["truth_format"] == "external"


def test_a_plot_cut_short_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a signal while a run's plot was written left half a PNG under plots/ (and rig plot --png the same)
    from scenarios import plot
    from scenarios.plot import plot_recording

    out = tmp_path / "p.png"
    out.write_bytes(b"before")

    def interrupted(path: Path, data: bytes) -> None:
        path.write_bytes(data[:100])
        raise KeyboardInterrupt  # half written, not yet in place

    monkeypatch.setattr(plot, "_write_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        plot_recording(synthesize("standing"), out)
    assert out.read_bytes() == b"before" and [p.name for p in tmp_path.iterdir()] == ["p.png"]


def test_plot_writes_the_path_it_was_given(tmp_path: Path) -> None:
    from scenarios.plot import plot_recording

    out = plot_recording(synthesize("standing"), tmp_path / "out" / "p", detected=[{"ic_s": "x"}, 3, {"ic_s": 1.0}])
    assert out == tmp_path / "out" / "p"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "out" / "p.png").exists()


# -- columns plainly not in g and dps: analysed as they are, the answer would be silently wrong --

def _rescaled(tmp_path: Path, acc_scale: float = 1.0, gyro_scale: float = 1.0, name: str = "walk") -> Path:
    import dataclasses

    rec = synthesize(name)
    path = tmp_path / f"{name}.csv"
    write_recording(dataclasses.replace(rec, truth=None, acc_g=rec.acc_g * acc_scale,
                                        gyro_dps=rec.gyro_dps * gyro_scale), path)
    return path


def test_acceleration_in_metres_per_second_squared(tmp_path: Path) -> None:
    _refused(_rescaled(tmp_path, acc_scale=9.80665), "where the foot is still", "m/s^2", "divide ax_g, ay_g, az_g by 9.80665")


def test_acceleration_at_a_wrong_scale(tmp_path: Path) -> None:
    _refused(_rescaled(tmp_path, acc_scale=1 / 2048), "gravity alone gives 1 g", "unit and scale")


def test_rates_in_radians_per_second(tmp_path: Path) -> None:
    _refused(_rescaled(tmp_path, gyro_scale=np.pi / 180.0), "rad/s", "multiply gx_dps, gy_dps, gz_dps by 57.29578")


def test_rates_that_were_never_logged(tmp_path: Path) -> None:
    # a gyroscope left off (its columns all 0) was told to multiply them by 57.29578, the rad/s advice
    msg = _refused(_rescaled(tmp_path, gyro_scale=0.0), "gx_dps, gy_dps, gz_dps hold one value each throughout (0, 0, 0 "
                   "dps): the gyroscope was off", "record with the gyroscope on")
    assert "57.29578" not in msg, msg


def test_rates_in_radians_per_second_on_a_run(tmp_path: Path) -> None:
    # a run's swing in rad/s stays under the quiet threshold, so the swing looked still: the refusal
    # blamed the accelerometer's scale (|a| 2.1 g where the foot is still) instead of the rates' unit
    msg = _refused(_rescaled(tmp_path, gyro_scale=np.pi / 180.0, name="steady_run"), "rad/s")
    assert "accelerometer's unit" not in msg, msg


def test_a_sensor_mounted_upside_down(tmp_path: Path) -> None:
    # turned over about x (y and z negated): read as it was, a steady run gave 82 strides and 120 m
    # against the truth's 79 and 178 m, silently
    import dataclasses

    rec = synthesize("steady_run")
    flip = np.array([1.0, -1.0, -1.0])
    path = tmp_path / "flipped.csv"
    write_recording(dataclasses.replace(rec, truth=None, acc_g=rec.acc_g * flip, gyro_dps=rec.gyro_dps * flip), path)
    _refused(path, "az_g is -1 g", "shoe frame", "negate ay_g, az_g, gy_dps, gz_dps")


def _yawed(tmp_path: Path, yaw_deg: float, name: str = "steady_run") -> Path:
    """A recording of the catalog with its sensor turned by yaw_deg about z."""
    import dataclasses

    rec = synthesize(name)
    a = np.radians(yaw_deg)
    turn = np.array([[np.cos(a), np.sin(a), 0.0], [-np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])
    path = tmp_path / f"{name}_yaw{yaw_deg:g}.csv"
    write_recording(dataclasses.replace(rec, truth=None, acc_g=rec.acc_g @ turn.T, gyro_dps=rec.gyro_dps @ turn.T), path)
    return path


def test_x_and_y_swapped(tmp_path: Path) -> None:
    # read as it was, a steady run of 79 strides gave 2, silently
    _refused(_yawed(tmp_path, 90.0), "about x as about y", "shoe frame", "swapped")


@pytest.mark.parametrize("yaw_deg", [30.0, 60.0])
def test_a_yawed_mount_the_analyzer_learns_is_read(tmp_path: Path, yaw_deg: float) -> None:
    read_recording(_yawed(tmp_path, yaw_deg))


@pytest.mark.parametrize("name", ["sprint_gyro_saturation", "standing", "fidgeting", "stairs_down"])
def test_recordings_in_g_and_dps_are_read(tmp_path: Path, name: str) -> None:
    read_recording(_rescaled(tmp_path, name=name))


# -- times a logger writes that cannot place the samples -------------------------------------


def test_a_row_repeating_the_time_before_with_other_values_names_what_to_do(tmp_path: Path) -> None:
    # was 'sort the rows and drop duplicates': wrong for times stamped once per batch or too coarse
    t = np.arange(200) / 100.0
    t[50] = t[49]
    path = _csv(tmp_path, t)
    lines = path.read_text().splitlines()
    lines[51] = lines[51].replace(",0,1,", ",0.5,1,", 1)  # another sample at the same time
    path.write_text("\n".join(lines) + "\n")
    _refused(path, "line 52", "repeats the previous row's time (line 51) with other values", "too few digits",
             "once per batch")


@pytest.mark.parametrize("repeat", ["row", "packet"])
def test_a_row_a_logger_wrote_twice_is_read_once_with_a_note(tmp_path: Path, repeat: str) -> None:
    """A logger that sends a sample again (a packet resent after a lost acknowledgement, a driver
    publishing its last sample again) writes the same row twice: time and values. Such a recording was
    refused ('repeats the previous row's time ... drop a row written twice'); it is read once."""
    clean = tmp_path / "clean.csv"
    write_recording(synthesize("walk"), clean)
    lines = clean.read_text().splitlines()
    first = next(k for k, line in enumerate(lines) if line.startswith("t_s")) + 1
    copied = lines[first + 999:first + 1000] if repeat == "row" else lines[first + 968:first + 1000]
    twice = tmp_path / "twice.csv"
    twice.write_text("\n".join(lines[:first + 1000] + copied + lines[first + 1000:]) + "\n")
    (tmp_path / "twice.truth.json").write_text((tmp_path / "clean.truth.json").read_text())
    a, b = read_recording(clean), read_recording(twice)
    assert np.array_equal(a.t_s, b.t_s) and np.array_equal(a.acc_g, b.acc_g) and np.array_equal(a.gyro_dps, b.gyro_dps)
    assert a.odr_hz == b.odr_hz
    copy_line = first + 1000 + 1  # the first copy's line number, from 1
    note = next(n for n in b.notes if "repeat an earlier row exactly" in n)
    assert f"{len(copied)} row(s)" in note and f"line {copy_line}, a copy of line {copy_line - len(copied)}" in note, note


def test_a_clock_that_went_back_is_named_a_wrap_or_restart(tmp_path: Path) -> None:
    # a logger's 16-bit millisecond timer wraps at 65.536 s: sorting the rows, as the refusal said,
    # would have shuffled two minutes together
    t = ((np.arange(8000) * 10.0 + 60000.0) % 65536.0) / 1000.0
    msg = _refused(_csv(tmp_path, t), "went back", "wrapped or restarted", "unwrap")
    assert "sort" not in msg


def test_rows_out_of_order_are_still_told_to_be_sorted(tmp_path: Path) -> None:
    t = np.arange(200) / 100.0
    t[50], t[51] = t[51], t[50]
    _refused(_csv(tmp_path, t), "line 53", "is not after", "sort the rows")


def test_float32_times_too_coarse_for_the_rate(tmp_path: Path) -> None:
    # from 20,000 s on, float32 times step by 1.95 ms: a 416 Hz recording read as 512 Hz, a fifth of
    # its samples counted as lost, without a word
    t = np.float32(20000.0 + np.arange(4000) / 416.0)
    path = tmp_path / "rec.csv"
    path.write_text(HEADER + "\n" + "".join(f"{v:.9g},{ROW}\n" for v in t))
    _refused(path, "float32", "1.95 ms", "64-bit")


@pytest.mark.parametrize("start_s", [1000.0, 70000.0])
def test_float32_times_fine_enough_are_read(tmp_path: Path, start_s: float) -> None:
    # float32 times from 1000 s step by 61 us; rows exactly 1/128 s apart are float32 values to 131,072 s
    t = np.float32(start_s + np.arange(4000) / (416.0 if start_s < 2000 else 128.0))
    path = tmp_path / "rec.csv"
    path.write_text(HEADER + "\n" + "".join(f"{v:.9g},{ROW}\n" for v in t))
    assert read_recording(path).odr_hz == pytest.approx(416.0 if start_s < 2000 else 128.0, rel=1e-3)


@pytest.mark.parametrize("per_s, unit, header", [(1e3, "milliseconds", "t [ms]"), (1e6, "microseconds", "t [us]"),
                                                 (1e9, "nanoseconds", "t [ns]")])
def test_times_in_another_unit_are_named(tmp_path: Path, per_s: float, unit: str, header: str) -> None:
    # was 'check the unit of t_s (seconds)': the unit the times look like, and the factor, are named
    _refused(_csv(tmp_path, np.arange(300) / 416.0 * per_s), f"t_s looks like {unit} (416 Hz in them)",
             f"divide it by {per_s:,.0f}", header)


@pytest.mark.parametrize("change", ["grows", "cut short"])
def test_a_recording_that_changes_while_it_is_read_is_refused(tmp_path: Path, change: str) -> None:
    """A recording rig record (or a logger) was still writing, or one rewritten in place meanwhile, was
    read as the part that happened to be there: a shorter recording, without a word."""
    path = tmp_path / "rec.csv"
    write_recording(synthesize("walk"), path)
    size = path.stat().st_size
    lines = input_file.read_lines(path, "recording")
    next(lines)  # opened, its first chunk read
    if change == "grows":
        with open(path, "a") as f:
            f.write("999.0,0,0,1,0,0,0\n")
    else:
        os.truncate(path, size // 2)
    with pytest.raises(RecordingError) as err:
        for _ in lines:
            pass
    msg = str(err.value)
    assert str(path) in msg and "changed while it was read" in msg and f"{size} bytes when opened" in msg, msg
    assert "a program is still writing it" in msg and "wait until the recording is complete" in msg, msg


def test_a_sidecar_key_given_twice_is_refused(tmp_path: Path) -> None:
    """A sidecar naming "strides" twice, the second empty, was read as the last (json keeps it without a
    word): rig bench judged none of the labelled strides and passed on the distance alone."""
    doc = {"format": "stridelab-truth", "version": 1, "strides": [{"ic_s": 0.1, "tc_s": 0.3}],
           "label_windows_s": [[0.0, 0.49]]}
    path = _with_sidecar(tmp_path, json.dumps(doc)[:-1] + ', "strides": []}')
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    msg = str(err.value)
    assert "x.truth.json: an object names the key 'strides' twice; keep one of the two" in msg, msg


def test_a_recording_whose_file_name_is_no_utf8_is_plotted(tmp_path: Path) -> None:
    """rig plot of a recording named in another system's encoding (b'w\\xe4lk.csv', a Latin-1 name) ended
    in a matplotlib TypeError traceback: the title held a surrogate no font draws."""
    from scenarios.plot import plot_recording

    name = os.fsdecode(b"w\xe4lk.csv")
    write_recording(synthesize("standing"), tmp_path / name)
    out = tmp_path / "p.png"
    plot_recording(read_recording(tmp_path / name), out)
    assert out.read_bytes().startswith(b"\x89PNG")


def test_text_in_another_encoding_in_comments_or_extra_columns_is_read(tmp_path: Path) -> None:
    """A logger writing Latin-1 (a comment '# capteur: pied gauche \\xe9', a label column) was refused whole
    ('not UTF-8 text (byte 0xe9 ...)'), though extra columns may hold anything; such bytes in a column of
    the samples are refused as the field they make, and a header that is no UTF-8 as before."""
    clean = tmp_path / "clean.csv"
    write_recording(synthesize("standing"), clean)
    lines = clean.read_bytes().split(b"\n")
    head = next(k for k, line in enumerate(lines) if line.startswith(b"t_s"))
    latin = [b"# capteur: pied gauche \xe9", *lines[:head], lines[head] + b",note",
             *[line + b",pied gauche \xe9" for line in lines[head + 1:] if line]]
    (tmp_path / "latin.csv").write_bytes(b"\n".join(latin) + b"\n")
    a, b = read_recording(clean), read_recording(tmp_path / "latin.csv")
    assert np.array_equal(a.t_s, b.t_s) and np.array_equal(a.acc_g, b.acc_g) and np.array_equal(a.gyro_dps, b.gyro_dps)
    latin[head + 5] = latin[head + 5].replace(b",", b",\xe9", 1)
    (tmp_path / "bad.csv").write_bytes(b"\n".join(latin) + b"\n")
    _refused(tmp_path / "bad.csv", f"line {head + 6}", "column ax_g:", "is not a number")
    (tmp_path / "head.csv").write_bytes(b"t_s,ax_g\xe9\n0,1\n")
    _refused(tmp_path / "head.csv", "line 1", "not UTF-8 text (byte 0xe9")


@pytest.mark.parametrize("text", ["1" + "0" * 400, "1e400", "-0.0"])
def test_sidecar_rate_no_float_holds_is_refused(tmp_path: Path, text: str) -> None:
    """A declared rate of 400 digits passed as a number below inf, then ended in a traceback (OverflowError from
    float()); it is a rate no sensor has, refused as such."""
    path = _with_sidecar(tmp_path, '{"events": [], "sample_rate_hz": ' + text + "}")
    with pytest.raises(RecordingError, match=r"x\.truth\.json: sample_rate_hz is .*, not a sample rate; write") as err:
        read_recording(path)
    assert len(str(err.value)) < MAX_MESSAGE_CHARS + len(str(tmp_path))


@pytest.mark.parametrize("field, words", [
    ("t [min]", "column 't [min]': 'min' is no unit of t_s the rig converts; write its values in one of s, sec, ms"),
    ("ax [ug]", "column 'ax [ug]': 'ug' is no unit of ax_g the rig converts; write its values in one of g, mg"),
])
def test_a_column_in_a_unit_not_converted_is_named(tmp_path: Path, field: str, words: str) -> None:
    """t [min] was refused as 'header lacks column(s) t_s', as if the recording held no time at all."""
    column = "t_s" if field.startswith("t ") else "ax_g"
    path = _csv(tmp_path, np.arange(50) / 100.0, "x.csv")
    path.write_text(path.read_text().replace(column, field, 1))
    msg = _refused(path, words)
    assert "lacks" not in msg
