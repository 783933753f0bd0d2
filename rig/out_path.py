"""Output paths of the rig's options, checked before any work is done.

A path given for a file to write must name a file: `d/` (a directory spelled as one) would
otherwise become a file `d`, and an existing directory fails only after the run. An output
that gets a sidecar beside it (a recording CSV and its NAME.truth.json) must be a regular
file or nothing yet: `--csv /dev/null` would otherwise create `/dev/null.truth.json`.
A device or pipe is fine for an output without a sidecar (`--json /dev/stdout`).
Missing parent directories are created when the file is written, so a path under a regular
file (`notes.txt/out.json`) or under a directory the user may not write into is refused up front,
not after a run of minutes.
"""

from __future__ import annotations

import argparse
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

_KINDS = ((stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))


def kind_of(path: Path | str) -> str | None:
    """What is at path ("a regular file", "a directory", "a character device", ...), None when nothing is."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return next((word for test, word in _KINDS if test(mode)), "not a regular file")


def out_file(option: str, sidecar: str | None = None, dash_is_stdout: bool = False) -> Callable[[str], Path]:
    """argparse type of an option naming a file to write (refusals name the option through argparse).

    sidecar: what is written beside the file (e.g. "NAME.truth.json"): the path must then be a
    regular file, nothing yet, or a character device (written through; the command refuses the
    sidecar after, so /dev/full still says it is full). A FIFO (its open would wait for a reader)
    or a block device is refused.

    dash_is_stdout: '-' is standard output (rig replay --json -); else '-' is refused: it was written as a
    file named '-' (rig bench --json - | jq read nothing, and rig synth --csv - left '-' and '-.truth.json')."""

    def check(text: str) -> Path:
        if not text.strip():
            raise argparse.ArgumentTypeError("an empty path; give the file to write")
        if text == "-" and not dash_is_stdout:
            raise argparse.ArgumentTypeError(f"'-' would be a file named '-' ({option} does not write to standard "
                                             "output; what the command prints goes there); give a file path "
                                             "(./- for a file of that name)")
        if text.endswith(("/", os.sep)) or Path(text).name in ("", ".", ".."):
            raise argparse.ArgumentTypeError(f"{text!r} names a directory; give a file path (e.g. {text.rstrip('/')}/OUT)")
        check_link(text)
        kind = kind_of(text)
        if kind == "a directory":
            raise argparse.ArgumentTypeError(f"{text} is a directory; give a file path inside it "
                                             f"(e.g. {text.rstrip('/')}/OUT)")
        if sidecar and kind not in (None, "a regular file", "a character device"):
            raise argparse.ArgumentTypeError(f"{option} {text}: is {kind}, not a file: {option} also writes {sidecar} "
                                             "beside it; give the path of a regular file")
        _check_parent(option, Path(text))
        return Path(text)

    return check


def check_link(text: str) -> None:
    """Refuse (argparse) a symbolic link that cannot be written through: one that leads back to itself,
    or one to a file in a directory that is not there. Either was refused only when the output was
    written, after the run (rig replay, rig bench, rig explore --json: 'Too many levels of symbolic links')."""
    if not os.path.islink(text):
        return
    try:
        os.stat(text)
        return
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise argparse.ArgumentTypeError(f"{text}: a symbolic link that leads back to itself (a loop); "
                                             "remove it, or give another path") from None
    target = os.path.realpath(text)
    if kind_of(os.path.dirname(target)) != "a directory":
        raise argparse.ArgumentTypeError(f"{text}: a symbolic link to {target}, whose directory is not "
                                         "there; make that directory, remove the link, or give another path")


def out_dir(option: str) -> Callable[[str], Path]:
    """argparse type of an option naming a directory to write into (--report, --runs-dir): an
    empty path would be the current directory, and the report's index.html, junit.xml, plots/
    and captures/ (or the run directories) would land among whatever files are there.

    The directory (or, while it is missing, the nearest directory above it) must be one the rig can
    write into: a --runs-dir on a read-only file system (or the default runs/ of a read-only checkout)
    was found unwritable only when the first run directory was made, after the synthesis or the
    recording was read, and rig bench ran its whole catalog first ('ARM: not measured')."""

    def check(text: str) -> Path:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"an empty path; give the directory {option} writes into "
                                             "(it is made when missing; '.' for this one)")
        path = Path(text)
        kind = kind_of(path)
        if kind not in (None, "a directory"):
            raise argparse.ArgumentTypeError(f"{option} {text}: is {kind}, not a directory; give a directory "
                                             "(it is made when missing)")
        _check_parent(option, path / "x", what="directories")
        return path

    return check


def _check_parent(option: str, path: Path, what: str = "files") -> None:
    """Refuse (argparse) a path whose nearest existing ancestor is no directory or not writable (no
    permission, or a file system mounted read-only)."""
    ancestor = path.parent
    while kind_of(ancestor) is None and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    kind = kind_of(ancestor)
    shown = path.parent if what == "directories" else path
    if kind != "a directory":
        raise argparse.ArgumentTypeError(f"{option} {shown}: {ancestor} is {kind or 'missing'}, not a directory; "
                                         "give a path inside a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        why = "a read-only file system" if _read_only(ancestor) else "no write permission"
        raise argparse.ArgumentTypeError(f"{option} {shown}: cannot create {what} under {ancestor} ({why}); "
                                         "give a path in a directory you can write")


def _read_only(path: Path) -> bool:
    """Whether the file system holding path is mounted read-only."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def refuse_overwriting_inputs(out: Path | None, option: str, recordings: list[Path], suffix: str) -> None:
    """RigError when out is one of the recordings a command reads, or a recording's truth sidecar
    (NAME.truth.json): written over, the input was lost without a word (rig plot REC.csv --png REC.csv
    left a PNG named REC.csv). A device (/dev/stdout, /dev/null) is written through, never replaced.
    suffix: what the output is named with (.png, .json), for the path the message suggests."""
    from rig.errors import RigError

    if out is None or str(out) == "-" or kind_of(out) in ("a character device", "a FIFO"):
        return
    where = os.path.realpath(out)
    for rec in recordings:
        for what, path in (("the recording", rec), ("the truth of", rec.with_suffix(".truth.json"))):
            if where == os.path.realpath(path):
                named = f"{what} {rec}" if what == "the recording" else f"{what} {rec} ({path})"
                raise RigError(f"{option} {out} is {named} this command reads: writing there would replace it; "
                               f"give {option} another path (e.g. {rec.with_suffix(suffix)})")


#: Picture formats a name may end in other than PNG (those matplotlib writes): rig plot --png writes PNG alone.
OTHER_PICTURES = ("avif", "eps", "gif", "jpeg", "jpg", "pdf", "pgf", "ps", "raw", "rgba", "svg", "svgz", "tif", "tiff",
                  "webp", "bmp")
#: Endings that name a kind of file the rig reads or writes (a recording, a JSON, a picture, sensor data).
KNOWN_KINDS = ("csv", "json", "png", "resd", *OTHER_PICTURES)


def refuse_another_kind(out: Path | None, option: str, writes: str, own: str) -> None:
    """RigError when out's name ends as another kind of file than option writes (own: its ending, "json",
    "png"): rig plot --png x.svg wrote a PNG no SVG viewer opens, rig replay --json x.csv a JSON where a
    recording goes (over the user's recording, when there was one). A truth sidecar's name (NAME.truth.json)
    is refused for a JSON too: written there, it replaced the truth of NAME.csv. A name of no known ending,
    a device and a FIFO are written as asked; '-' is standard output."""
    from rig.errors import RigError

    if out is None or str(out) == "-" or kind_of(out) in ("a character device", "a FIFO"):
        return
    other = out.suffix.lower().lstrip(".")
    example = out.with_suffix(f".{own}")
    if own == "json" and out.name.lower().endswith(".truth.json"):
        stem = out.name[:-len(".truth.json")]
        raise RigError(f"{option} {out}: names a truth sidecar (the truth of {stem}.csv, read beside it), and "
                       f"{option} writes {writes}; give a name of its own ending in .json (e.g. {stem}.{own})")
    if other in KNOWN_KINDS and other != own:
        raise RigError(f"{option} {out}: names {other.upper()} data, and {option} writes {writes}; give a name "
                       f"ending in .{own} (e.g. {example})")


def write_output(path: Path, text: str, option: str, fallback: str) -> None:
    """Write an output file (a JSON of figures or results) whole or not at all: written in place, one cut
    short by a full disk (or a signal) stayed as half a JSON under its name. Missing parent directories
    are made; a device is written through. RigError naming the option, the path and the reason, then
    fallback (where the figures are kept meanwhile), when it cannot be written."""
    from rig.errors import RigError
    from scenarios.whole_file import write_whole

    def write(out: Path) -> None:
        out.write_text(text, encoding="utf-8")

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, write)
    except OSError as exc:
        raise RigError(f"{option} {path}: cannot write it ({exc.strerror or exc}); {fallback}") from None
