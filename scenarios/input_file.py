"""Open an input file for reading with bounded time and memory, and quote it in messages briefly.

A recording or sidecar may be named by a careless or hostile user: a device (/dev/zero), a FIFO
nobody writes to, a directory, a file of gigabytes on one line. Only a regular file or a pipe
that delivers its first bytes within `PIPE_WAIT_S` is read, in chunks, each line at most
`MAX_LINE_BYTES` long; every refusal is a RecordingError naming the file and what to do.
"""

from __future__ import annotations

import codecs
import errno
import io
import json
import math
import os
import re
import select
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .errors import RecordingError

#: How long a pipe may take to deliver its first bytes, and then to deliver each next chunk, s.
PIPE_WAIT_S = 5.0
#: Longest line accepted, bytes (a recording row is under 120).
MAX_LINE_BYTES = 4096
#: Longest excerpt of the input quoted in a message, characters.
EXCERPT_CHARS = 40
_CHUNK_BYTES = 1 << 16


#: A byte that is not UTF-8 in a command-line word or a file name, as Python holds it (a surrogate escape), in repr().
_ESCAPED_BYTE = re.compile(r"(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])")
#: The name of the error handler (registered below) that writes such a byte as \xNN.
BYTES_ERRORS = "stridelab.bytes"


def _bytes_as_escapes(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: each surrogate escape of a byte written \\xNN (the byte the user gave), other
    characters the stream cannot encode as backslashreplace writes them."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    chunk = exc.object[exc.start:exc.end]
    return "".join(f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF
                   else c.encode("ascii", "backslashreplace").decode("ascii") for c in chunk), exc.end


codecs.register_error(BYTES_ERRORS, _bytes_as_escapes)


def show_bytes_on(*streams: IO[str]) -> None:
    """Make each text stream write a byte of a name that is not UTF-8 as \\xNN: stderr wrote it as \\udcNN, a
    character the user never typed."""
    for stream in streams:
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors=BYTES_ERRORS)


def bytes_quoted(message: str) -> str:
    """message with each byte that is not UTF-8, quoted by repr() as its surrogate escape (\\udcNN, a character
    the user never typed), written \\xNN: `rig run $'w\\xff'` was told of 'w\\udcff'."""
    return _ESCAPED_BYTE.sub(r"\1\\x\2", message)


def excerpt(text: str | bytes, limit: int = EXCERPT_CHARS) -> str:
    """A short quotable excerpt: repr of at most `limit` characters, '...' when cut; a byte of a name that is
    not UTF-8 is shown \\xNN (repr() showed its surrogate escape, \\udcNN)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "backslashreplace")
    return bytes_quoted(repr(text[:limit])) + ("..." if len(text) > limit else "")


def fail(path: Path, line: int | None, what: str, todo: str) -> RecordingError:
    """A RecordingError 'PATH[, line N]: WHAT; TODO'."""
    where = f"{path}" if line is None else f"{path}, line {line}"
    return RecordingError(f"{where}: {what}; {todo}")


def _kind(mode: int) -> str:
    for test, word in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return word
    return "not a regular file"


#: The path that names standard input (rig replay - < walk.csv, logger | rig replay -).
STDIN = "-"


def is_stdin(path: Path | str) -> bool:
    """Whether path is '-', standard input."""
    return str(path) == STDIN


def _open_stdin(path: Path, what: str) -> tuple[os.stat_result, int]:
    """The status of standard input and a descriptor of it of this reader's own. '-' was opened as a file
    named '-' ('cannot read the recording (No such file or directory)')."""
    try:
        if sys.stdin is None:  # closed when the process started: descriptor 0 may be a file opened since
            raise OSError(errno.EBADF, "closed")
        st = os.fstat(0)
        fd = os.dup(0)
    except OSError:
        raise fail(path, None, f"standard input is closed, so there is no {what} to read",
                   f"pipe the {what} in (COMMAND | rig ... -, or rig ... - < FILE), or give its path") from None
    if os.isatty(fd):
        os.close(fd)
        raise fail(path, None, f"standard input is a terminal, not a {what}",
                   f"pipe the {what} in (COMMAND | rig ... -, or rig ... - < FILE), or give its path")
    return st, fd


class _Reader:
    """Chunks of a regular file or a pipe ('-': standard input); a pipe that stays silent for PIPE_WAIT_S is refused."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        fd = None
        try:
            if is_stdin(path):
                st, fd = _open_stdin(path, what)
            else:
                st = os.stat(path)
        except OSError as exc:
            raise fail(path, None, f"cannot read the {what} ({exc.strerror})", "check the path") from None
        self.pipe = stat.S_ISFIFO(st.st_mode) or stat.S_ISSOCK(st.st_mode) and fd is not None
        if not (self.pipe or stat.S_ISREG(st.st_mode)):
            if fd is not None:
                os.close(fd)
            raise fail(path, None, f"is {_kind(st.st_mode)}, not a {what}",
                       "give a regular file (or a pipe that delivers one)")
        if fd is not None:
            if self.pipe:
                os.set_blocking(fd, False)
            self.fd = fd
        else:
            try:
                self.fd = os.open(path, os.O_RDONLY | (os.O_NONBLOCK if self.pipe else 0))
            except OSError as exc:
                raise fail(path, None, f"cannot read the {what} ({exc.strerror})", "check the path") from None
        self.what = what
        #: Standard input, whose pipe has its writer already: an end before any byte is the end, not a writer to wait for.
        self.stdin = is_stdin(path)
        self.received = 0
        #: The size of the regular file when it was opened, bytes.
        self.size = 0 if self.pipe else os.fstat(self.fd).st_size
        #: Where reading starts: 0, or where standard input was left by what read it before (a regular file).
        self.start = 0 if self.pipe else os.lseek(self.fd, 0, os.SEEK_CUR)

    def read(self) -> bytes:
        """The next chunk; b'' at the end of the file.

        A regular file must end where it ended when it was opened: one that a program still appends to
        (rig record writing it, a logger) or that was cut short meanwhile (rewritten in place) was read
        as the part that happened to be there, a shorter recording without a word."""
        if not self.pipe:
            data = os.read(self.fd, _CHUNK_BYTES)
            self.received += len(data)
            if not data:
                now = os.fstat(self.fd).st_size
                # (a file of /proc or /sys says 0 bytes, and reads as what it holds)
                if now != self.size or (self.size and self.received != self.size - self.start):
                    raise fail(self.path, None, f"changed while it was read ({self.size} bytes when opened, "
                               f"{self.received} read, {now} now): a program is still writing it, or rewrote it",
                               f"wait until the {self.what} is complete (rig record: until it has ended), or "
                               "read a copy")
            return data
        deadline = time.monotonic() + PIPE_WAIT_S
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                state = "nothing" if self.received == 0 else f"{self.received} bytes and then nothing"
                raise fail(self.path, None, f"the pipe delivered {state} for {PIPE_WAIT_S:g} s",
                           "start the program that writes it first, or give a regular file")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.1))
            if not ready:
                continue
            try:
                data = os.read(self.fd, _CHUNK_BYTES)
            except BlockingIOError:
                continue
            if data or self.received:
                self.received += len(data)
                return data
            if self.stdin:  # its writer closed it: the end of an input that held nothing
                raise fail(self.path, None, f"standard input ended before its first byte: it holds no {self.what}",
                           f"pipe the {self.what} in (COMMAND | rig ... -, or rig ... - < FILE), or give its path")
            # b'' before any byte: no writer has opened the FIFO yet; wait for one.
            time.sleep(0.05)

    def close(self) -> None:
        """Close the file."""
        os.close(self.fd)


def read_lines(path: Path, what: str) -> Iterator[tuple[int, bytes]]:
    """(line number from 1, line without its end) of a file, read in bounded chunks.

    Raises RecordingError for what cannot be read as text lines (see the module docstring)."""
    reader = _Reader(path, what)
    try:
        pending = b""
        line_no = 0
        while True:
            chunk = reader.read()
            if not chunk:
                break
            parts = (pending + chunk).split(b"\n")
            pending = parts.pop()
            for part in parts:
                line_no += 1
                if len(part) > MAX_LINE_BYTES:
                    raise _long_line(path, line_no, part)
                yield line_no, part.rstrip(b"\r")
            if len(pending) > MAX_LINE_BYTES:
                raise _long_line(path, line_no + 1, pending)
        if pending:
            yield line_no + 1, pending.rstrip(b"\r")
    except OSError as exc:
        raise fail(path, None, f"cannot read the {what} ({exc.strerror})", "check the path") from None
    finally:
        reader.close()


def _long_line(path: Path, line_no: int, data: bytes) -> RecordingError:
    if b"\r" in data.rstrip(b"\r"):
        return fail(path, line_no, f"line longer than {MAX_LINE_BYTES} bytes holding carriage returns "
                    f"(starts {excerpt(data)}): lines ended by CR alone", "save the file with LF or CRLF line ends")
    return fail(path, line_no, f"line longer than {MAX_LINE_BYTES} bytes (starts {excerpt(data)})",
                "give one sample a line, fields separated by commas")


def read_bytes(path: Path, what: str, limit_bytes: int) -> bytes:
    """The whole of a small file (at most limit_bytes), read in bounded chunks."""
    reader = _Reader(path, what)
    parts: list[bytes] = []
    size = 0
    try:
        while True:
            chunk = reader.read()
            if not chunk:
                return b"".join(parts)
            size += len(chunk)
            if size > limit_bytes:
                raise fail(path, None, f"larger than {limit_bytes // (1 << 20)} MB",
                           f"a {what} is a few kB: check that this is the right file")
            parts.append(chunk)
    except OSError as exc:
        raise fail(path, None, f"cannot read the {what} ({exc.strerror})", "check the path") from None
    finally:
        reader.close()


#: The most digits of an integer a JSON input is read with: far past any finite float (309 digits), and the
#: fewest Python converts under every setting of its limit (PYTHONINTMAXSTRDIGITS; 4300 by default), past which
#: json.loads ended in 'Exceeds the limit (4300 digits) for integer string conversion ... use
#: sys.set_int_max_str_digits() to increase the limit', advice meant for the program, not for its user.
MAX_JSON_INT_DIGITS = 640


class LongNumber(ValueError):
    """An integer of a JSON input longer than MAX_JSON_INT_DIGITS digits; its message names it and its line."""

    def __init__(self, digits: str, line: int | None = None) -> None:
        #: What the number is, without its line.
        self.what = (f"a number of {len(digits.lstrip('-'))} digits ({excerpt(digits, 20)}), longer than any value "
                     "it may hold")
        super().__init__(self.what if line is None else f"line {line}: {self.what}")
        self.digits = digits
        self.line = line


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_INT_DIGITS:
        raise LongNumber(text)
    return int(text)


class WrittenNumber(float):
    """A JSON number past the range of a float (1e400, -1e999), infinite as float() reads it, shown as written:
    refused as 'inf', it named a value the input never held."""

    def __new__(cls, text: str) -> "WrittenNumber":
        """The float of text (a JSON number), keeping text."""
        number = super().__new__(cls, text)
        number.text = text
        return number

    text: str

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _json_float(text: str) -> float:
    number = float(text)
    return number if math.isfinite(number) else WrittenNumber(text)


def finite_float(value: object) -> float | None:
    """A JSON value as a finite float; None for a value that is no number (a string, true), or that no finite
    float holds (1e400; a whole number of 400 digits, whose float() or math.isfinite() raises OverflowError)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def loads_json(text: str, **hooks: Any) -> Any:
    """json.loads(text, **hooks), with an integer of more than MAX_JSON_INT_DIGITS digits refused as LongNumber
    (a ValueError naming the number and its line) before Python converts it, and a number past a float's range
    read as a WrittenNumber (infinite, shown as written)."""
    try:
        return json.loads(text, parse_int=_json_int, parse_float=_json_float, **hooks)
    except LongNumber as exc:
        raise LongNumber(exc.digits, text.count("\n", 0, max(text.find(exc.digits), 0)) + 1) from None
