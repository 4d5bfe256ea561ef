"""Reader for recorded venue sessions in the project's capture format (no Dagster).

A fixture day lives in ``fixtures/<YYYY-MM-DD>/`` and its frames in ``capture.jsonl.gz``: gzip'd
UTF-8 JSON lines, one per received websocket frame, in receive order::

    {"recv_ms": 1790585112649, "channel": "market", "frame": "[{\\"market\\":\\"0x...\\", ...}]"}

- ``recv_ms``: int, our receive time in epoch milliseconds UTC (``1e12 <= recv_ms < 1e14``).
- ``channel``: str, the websocket channel the frame came from (``"market"`` for the public
  market channel; ``"user"`` reserved for the authenticated user channel).
- ``frame``: str, the raw text frame exactly as received. It is a string, not parsed JSON, so
  keep-alives (``PONG``), arrays of books and truncated frames are all representable; parsing the
  venue payload is the adapter's job, not this reader's.

The full format (frame shapes, derived fields) is documented in ``fixtures/README.md``.

Errors: by default the reader is strict and raises :class:`CaptureFormatError` on the first line
that is not a valid capture line. Pass a list as ``corrupt=`` to read leniently instead: each bad
line is appended to it as a :class:`CorruptLine` (1-based line number, raw text, reason) so the
caller can quarantine it, and reading continues with the next line.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

import polars as pl

#: File name of a day's capture inside ``fixtures/<YYYY-MM-DD>/``.
CAPTURE_FILE = "capture.jsonl.gz"

#: Polars schema of :func:`read_capture`.
CAPTURE_SCHEMA: dict[str, pl.DataType] = {
    "recv_ms": pl.Int64(),
    "channel": pl.String(),
    "frame": pl.String(),
}

_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONDITION_RE = re.compile(r"^0x[0-9a-f]{64}$")
_MIN_MS = 1_000_000_000_000
_MAX_MS = 100_000_000_000_000
_KEYS = frozenset({"recv_ms", "channel", "frame"})


class CaptureFormatError(ValueError):
    """A capture line is not valid (strict mode); ``line_no`` is 1-based."""

    def __init__(self, path: Path, line_no: int, reason: str) -> None:
        super().__init__(f"{path}:{line_no}: {reason}")
        self.path = path
        self.line_no = line_no
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CaptureLine:
    """One received frame.

    ``line_no`` is the 1-based line number in the capture file; ``recv_ms`` epoch ms UTC;
    ``channel`` the websocket channel; ``frame`` the raw text frame.
    """

    line_no: int
    recv_ms: int
    channel: str
    frame: str


@dataclass(frozen=True, slots=True)
class CorruptLine:
    """A line that is not a valid capture line: 1-based ``line_no``, the ``raw`` text (undecodable
    bytes replaced by U+FFFD, newline stripped), the ``reason`` it was rejected and the registered
    ``reason_code`` for its quarantine record (GOV_DQ_TS_UNITS for a ``recv_ms`` that is not epoch
    ms, GOV_DQ_SCHEMA for a JSON object of the wrong shape, else GOV_DQ_MALFORMED_JSON)."""

    line_no: int
    raw: str
    reason: str
    reason_code: str = "GOV_DQ_MALFORMED_JSON"


def derive_token_id(condition_id: str, outcome: str) -> str:
    """Stable stand-in outcome token id for a recording that has no token ids.

    Rule (exact): ``str(int(sha256(f"{condition_id}:{outcome}".encode("utf-8")).hexdigest(), 16)
    % 2**256)`` -- a uint256 printed in decimal (up to 78 digits, no leading zeros), the venue's
    token-id format. ``condition_id`` is hashed as given and must be lower-case ``0x`` + 64 hex
    digits; ``outcome`` is the outcome label exactly as the market lists it (case-sensitive, e.g.
    ``"Up"`` / ``"Down"``). The ids are derived, not the venue's real ERC-1155 position ids.

    Raises ValueError on a malformed condition id or an empty outcome.
    """
    if not _CONDITION_RE.match(condition_id):
        raise ValueError(f"condition id must be lower-case 0x + 64 hex digits, got {condition_id!r}")
    if not outcome:
        raise ValueError("outcome must be a non-empty label")
    digest = hashlib.sha256(f"{condition_id}:{outcome}".encode()).hexdigest()
    return str(int(digest, 16) % 2**256)


def _open(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def _parse_line(raw: str) -> tuple[int, str, str] | tuple[str, str]:
    """Return ``(recv_ms, channel, frame)``, or ``(reason_code, reason)`` if the line is invalid."""
    try:
        obj = json.loads(raw)
    except ValueError as exc:
        return "GOV_DQ_MALFORMED_JSON", f"not JSON: {exc}"
    if not isinstance(obj, dict):
        return "GOV_DQ_SCHEMA", f"not a JSON object: {type(obj).__name__}"
    if set(obj) != _KEYS:
        return "GOV_DQ_SCHEMA", f"keys must be exactly {sorted(_KEYS)}, got {sorted(obj)}"
    recv_ms, channel, frame = obj["recv_ms"], obj["channel"], obj["frame"]
    if isinstance(recv_ms, bool) or not isinstance(recv_ms, int):
        return "GOV_DQ_SCHEMA", f"recv_ms must be an integer, got {recv_ms!r}"
    if not _MIN_MS <= recv_ms < _MAX_MS:
        return "GOV_DQ_TS_UNITS", f"recv_ms {recv_ms} is not epoch milliseconds"
    if not isinstance(channel, str) or not channel:
        return "GOV_DQ_SCHEMA", f"channel must be a non-empty string, got {channel!r}"
    if not isinstance(frame, str):
        return "GOV_DQ_SCHEMA", f"frame must be a string, got {type(frame).__name__}"
    return recv_ms, channel, frame


def iter_capture(path: Path | str, *, corrupt: list[CorruptLine] | None = None) -> Iterator[CaptureLine]:
    """Yield the capture lines of ``path`` in file (= receive) order.

    ``path`` is a ``.jsonl.gz`` file (gzip) or, for any other suffix, plain JSON lines. The reader
    does not check that ``recv_ms`` is non-decreasing and does not parse ``frame``.

    Strict (``corrupt=None``): raises :class:`CaptureFormatError` on the first invalid line,
    including a line that is not UTF-8 and a gzip stream that ends early (reported at the line
    number where reading stopped). Lenient (``corrupt=[]``): appends a :class:`CorruptLine` for
    each invalid line and goes on; a truncated gzip stream ends the iteration after appending one
    ``CorruptLine`` with ``raw=""``. Raises FileNotFoundError when ``path`` does not exist.
    """
    path = Path(path)
    line_no = 0

    def bad(raw: str, reason: str, code: str = "GOV_DQ_MALFORMED_JSON") -> None:
        if corrupt is None:
            raise CaptureFormatError(path, line_no, reason)
        corrupt.append(CorruptLine(line_no, raw, reason, code))

    with _open(path) as fh:
        while True:
            try:
                data = fh.readline()
            except (EOFError, gzip.BadGzipFile, OSError) as exc:
                line_no += 1
                bad("", f"unreadable stream: {type(exc).__name__}: {exc}")
                return
            if not data:
                return
            line_no += 1
            try:
                raw = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad(data.decode("utf-8", errors="replace").rstrip("\r\n"), f"not UTF-8: {exc}")
                continue
            raw = raw.rstrip("\r\n")
            parsed = _parse_line(raw)
            if len(parsed) == 2:
                code, reason = parsed
                bad(raw, reason, code)
                continue
            recv_ms, channel, frame = parsed
            yield CaptureLine(line_no, recv_ms, channel, frame)


def read_capture(path: Path | str, *, corrupt: list[CorruptLine] | None = None) -> pl.DataFrame:
    """Read a whole capture into a frame, one row per valid line, in file order.

    Columns (:data:`CAPTURE_SCHEMA`): ``recv_ms`` Int64 (epoch ms UTC), ``channel`` String,
    ``frame`` String (raw text frame). Line numbers are not kept; use :func:`iter_capture` when
    you need them. ``corrupt`` and errors as in :func:`iter_capture` (strict by default).
    """
    recv: list[int] = []
    channels: list[str] = []
    frames: list[str] = []
    for line in iter_capture(path, corrupt=corrupt):
        recv.append(line.recv_ms)
        channels.append(line.channel)
        frames.append(line.frame)
    return pl.DataFrame({"recv_ms": recv, "channel": channels, "frame": frames}, schema=CAPTURE_SCHEMA)


def list_fixture_days(root: Path | str) -> list[str]:
    """Fixture days under ``root``: names of sub-directories that are valid ISO dates
    (``YYYY-MM-DD``) and contain ``capture.jsonl.gz``, sorted ascending.

    Raises FileNotFoundError when ``root`` is not a directory.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"fixture root {root} is not a directory")
    days = []
    for child in root.iterdir():
        if not (child.is_dir() and _DAY_RE.match(child.name) and (child / CAPTURE_FILE).is_file()):
            continue
        try:
            date.fromisoformat(child.name)
        except ValueError:
            continue
        days.append(child.name)
    return sorted(days)
