"""Reader for recorded venue sessions in the project's capture format (no Dagster).

A fixture day lives in ``fixtures/<YYYY-MM-DD>/`` and its frames in ONE of two files (find it with
:func:`capture_path`):

``capture.jsonl.gz``: gzip'd UTF-8 JSON lines, one per received websocket frame, in receive order::

    {"recv_ms": 1790585112649, "channel": "market", "frame": "[{\\"market\\":\\"0x...\\", ...}]"}

- ``recv_ms``: int, our receive time in epoch milliseconds UTC (``1e12 <= recv_ms < 1e14``).
- ``channel``: str, the websocket channel the frame came from (``"market"`` for the public
  market channel; ``"user"`` reserved for the authenticated user channel).
- ``frame``: str, the raw text frame exactly as received. It is a string, not parsed JSON, so
  keep-alives (``PONG``), arrays of books and truncated frames are all representable; parsing the
  venue payload is the adapter's job, not this reader's.

``capture.parquet``: the same frames as a Parquet table with exactly the columns ``seq`` Int64
(0-based receive order), ``recv_ms`` Int64, ``channel`` String and ``frame`` String (each as above).
Rows may be stored in any order (a large day is stored by token, so consecutive rows share their
ids and compress well); the reader returns them ordered by ``seq``. A row is the Parquet form of a
line: its ``line_no`` is ``seq + 1`` (the line it would be in the JSON-lines form), except for a
corrupt row, whose ``seq`` may be unusable: there ``line_no`` is the 1-based STORED row number.

The full format (frame shapes, derived fields) is documented in ``fixtures/README.md``.

Errors: by default the reader is strict and raises :class:`CaptureFormatError` on the first line
that is not a valid capture line. Pass a list as ``corrupt=`` to read leniently instead: each bad
line is appended to it as a :class:`CorruptLine` (1-based line number, raw text, reason) so the
caller can quarantine it, and reading continues with the next line. A Parquet row is bad on the same
grounds as a line (a null or non-integer ``seq`` / ``recv_ms``, a ``recv_ms`` that is not epoch ms,
a null or empty ``channel``, a null or non-string ``frame``), and also when its ``seq`` is negative or
repeats one stored before it; its ``raw`` is the row rendered as a JSON object.
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

#: File name of a day's capture inside ``fixtures/<YYYY-MM-DD>/`` (JSON-lines form).
CAPTURE_FILE = "capture.jsonl.gz"
#: File name of a day's capture in the Parquet form.
CAPTURE_PARQUET = "capture.parquet"
#: Either name, in the order :func:`capture_path` looks for them.
CAPTURE_FILES = (CAPTURE_FILE, CAPTURE_PARQUET)

#: Polars schema of :func:`read_capture`.
CAPTURE_SCHEMA: dict[str, pl.DataType] = {
    "recv_ms": pl.Int64(),
    "channel": pl.String(),
    "frame": pl.String(),
}

#: Column names and dtypes of ``capture.parquet``.
PARQUET_CAPTURE_SCHEMA: dict[str, pl.DataType] = {"seq": pl.Int64(), **CAPTURE_SCHEMA}

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


def capture_path(day_dir: Path | str) -> Path:
    """The capture file of the fixture day directory ``day_dir``: its ``capture.jsonl.gz`` or its
    ``capture.parquet``.

    Raises FileNotFoundError when it holds neither, and ValueError when it holds both (two captures
    of one day: which one is the day is not for the reader to guess).
    """
    day_dir = Path(day_dir)
    found = [day_dir / name for name in CAPTURE_FILES if (day_dir / name).is_file()]
    if len(found) > 1:
        raise ValueError(f"{day_dir} holds both {' and '.join(CAPTURE_FILES)}: keep one")
    if not found:
        raise FileNotFoundError(f"{day_dir} holds no capture ({' or '.join(CAPTURE_FILES)})")
    return found[0]


def capture_frames(day_dir: Path | str) -> int:
    """How many frames (rows / lines) the capture of fixture day ``day_dir`` holds, without
    reading them: the Parquet row count from its footer, or the line count of the JSON-lines file.

    Raises FileNotFoundError / ValueError as :func:`capture_path`.
    """
    path = capture_path(day_dir)
    if _is_parquet(path):
        return pl.scan_parquet(path).select(pl.len()).collect().item()
    with gzip.open(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def _is_parquet(path: Path) -> bool:
    return path.suffix == ".parquet"


def iter_capture(path: Path | str, *, corrupt: list[CorruptLine] | None = None) -> Iterator[CaptureLine]:
    """Yield the capture lines of ``path`` in receive order.

    ``path`` is a ``.jsonl.gz`` file (gzip), a ``.parquet`` file (the Parquet form: rows ordered by
    ``seq``, ``line_no = seq + 1``) or, for any other suffix, plain JSON lines. The reader does not
    check that ``recv_ms`` is non-decreasing (nor, in the Parquet form, that ``seq`` has no gaps) and
    does not parse ``frame``.

    Strict (``corrupt=None``): raises :class:`CaptureFormatError` on the first invalid line,
    including a line that is not UTF-8 and a gzip stream that ends early (reported at the line
    number where reading stopped). Lenient (``corrupt=[]``): appends a :class:`CorruptLine` for
    each invalid line and goes on; a truncated gzip stream ends the iteration after appending one
    ``CorruptLine`` with ``raw=""``. A Parquet file is checked whole before its first row is yielded
    (see :func:`read_capture`). Raises FileNotFoundError when ``path`` does not exist.
    """
    path = Path(path)
    if _is_parquet(path):
        rows = _parquet_rows(path, corrupt)
        for line_no, recv_ms, channel, frame in rows.iter_rows():
            yield CaptureLine(line_no, recv_ms, channel, frame)
        return
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
    """Read a whole capture into a frame, one row per valid line, in receive order.

    Columns (:data:`CAPTURE_SCHEMA`): ``recv_ms`` Int64 (epoch ms UTC), ``channel`` String,
    ``frame`` String (raw text frame). Line numbers are not kept; use :func:`iter_capture` when
    you need them. ``corrupt`` and errors as in :func:`iter_capture` (strict by default).

    A ``.parquet`` capture is read and checked column-wise (no Python object per row): rows are
    ordered by ``seq``; every bad row becomes one CorruptLine (strict: the error names the bad row
    with the lowest stored row number). A file that is not Parquet at all, or whose columns are not
    exactly ``seq, recv_ms, channel, frame``, is one CorruptLine (``line_no`` 1, ``raw=""``) and
    nothing is read; a row group that cannot be decoded is one CorruptLine (its first stored row,
    ``raw=""``, its row count in the reason) and the other row groups are read.
    """
    path = Path(path)
    if _is_parquet(path):
        return _parquet_rows(path, corrupt).drop("line_no")
    recv: list[int] = []
    channels: list[str] = []
    frames: list[str] = []
    for line in iter_capture(path, corrupt=corrupt):
        recv.append(line.recv_ms)
        channels.append(line.channel)
        frames.append(line.frame)
    return pl.DataFrame({"recv_ms": recv, "channel": channels, "frame": frames}, schema=CAPTURE_SCHEMA)


# --- the Parquet form ------------------------------------------------------------------------------

_ROW = "_stored_row"  # 1-based stored row number
_EMPTY_ROWS = {"line_no": pl.Int64(), **CAPTURE_SCHEMA}


def _read_parquet_table(path: Path, found: list[CorruptLine]) -> pl.DataFrame | None:
    """The whole table with a 1-based stored row number; None (and one CorruptLine) when the file
    is unreadable. Undecodable row groups are skipped, one CorruptLine each."""
    if not path.is_file():
        raise FileNotFoundError(f"capture {path} does not exist")
    try:
        return pl.read_parquet(path).with_row_index(_ROW, offset=1)
    except Exception:  # noqa: BLE001 - salvage what is readable below, row group by row group
        pass
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - any reader error means: not a readable Parquet file
        found.append(CorruptLine(1, "", f"unreadable Parquet file: {type(exc).__name__}: {exc}"))
        return None
    parts, start = [], 1
    for group in range(parquet.metadata.num_row_groups):
        n = parquet.metadata.row_group(group).num_rows
        try:
            part = pl.from_arrow(parquet.read_row_group(group))
            assert isinstance(part, pl.DataFrame)
            parts.append(part.with_row_index(_ROW, offset=start))
        except Exception as exc:  # noqa: BLE001 - the group is lost; say so and read the others
            reason = f"unreadable row group {group} (stored rows {start}-{start + n - 1}): {type(exc).__name__}: {exc}"
            found.append(CorruptLine(start, "", reason))
        start += n
    if not parts:
        return pl.DataFrame(schema={_ROW: pl.UInt32(), **PARQUET_CAPTURE_SCHEMA})
    return pl.concat(parts, how="vertical_relaxed")


def _integer_column(table: pl.DataFrame, name: str) -> tuple[pl.Expr, pl.Expr]:
    """(value as Int64 or null, reason it is not a valid integer or null)."""
    dtype = table.schema[name]
    col = pl.col(name)
    if dtype.is_integer():
        value = col.cast(pl.Int64, strict=False)
        reason = pl.when(col.is_null()).then(pl.lit(f"{name} is null")).when(value.is_null()).then(
            pl.format(f"{name} {{}} does not fit Int64", col.cast(pl.String))
        )
        return value, reason
    shown = col.cast(pl.String, strict=False) if dtype != pl.Null else pl.lit(None, pl.String)
    reason = pl.when(col.is_null()).then(pl.lit(f"{name} is null")).otherwise(
        pl.format(f"{name} must be an integer, got {dtype} {{}}", shown.fill_null("?"))
    )
    return pl.lit(None, pl.Int64), reason


def _string_column(table: pl.DataFrame, name: str, *, non_empty: bool) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(value as String or null, reason it is not a valid string or null, reason code)."""
    dtype = table.schema[name]
    col = pl.col(name)
    schema = pl.lit("GOV_DQ_SCHEMA")
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        value = col.cast(pl.String)
        reason = pl.when(col.is_null()).then(pl.lit(f"{name} must be a string, got null"))
        if non_empty:
            reason = reason.when(value == "").then(pl.lit(f"{name} must be a non-empty string, got ''"))
        return value, reason, schema
    if dtype == pl.Binary:  # decoded row by row (see _decode_binary): null where it is not UTF-8
        value = pl.col(f"_{name}_text")
        reason = (
            pl.when(col.is_null()).then(pl.lit(f"{name} must be a string, got null"))
            .when(value.is_null()).then(pl.lit(f"{name} is not UTF-8"))
        )
        if non_empty:
            reason = reason.when(value == "").then(pl.lit(f"{name} must be a non-empty string, got ''"))
        code = pl.when(col.is_not_null() & value.is_null()).then(pl.lit("GOV_DQ_MALFORMED_JSON")).otherwise(schema)
        return value, reason, code
    return pl.lit(None, pl.String), pl.lit(f"{name} must be a string, got {dtype}"), schema


def _decode_binary(table: pl.DataFrame, name: str) -> pl.DataFrame:
    """Add ``_<name>_text``: a Binary column decoded as UTF-8 row by row, null where it is not UTF-8
    (polars cannot cast invalid UTF-8 leniently). The Parquet form stores String; this is the odd case."""

    def text(value: bytes | None) -> str | None:
        try:
            return None if value is None else value.decode("utf-8")
        except UnicodeDecodeError:
            return None

    return table.with_columns(pl.Series(f"_{name}_text", [text(v) for v in table[name]], dtype=pl.String))


def _raw_row(row: dict[str, object]) -> str:
    """A corrupt row as text for its quarantine record: the row as a JSON object (non-JSON values as str)."""
    values = {k: (v.decode("utf-8", errors="replace") if isinstance(v, bytes) else v) for k, v in row.items()}
    return json.dumps(values, ensure_ascii=False, default=str, separators=(",", ":"))


def _parquet_rows(path: Path, corrupt: list[CorruptLine] | None) -> pl.DataFrame:
    """Valid rows of a Parquet capture ordered by ``seq``: ``line_no`` (= seq + 1), recv_ms, channel,
    frame. Bad rows go to ``corrupt`` (lenient) or raise (strict: the lowest stored row number)."""
    found: list[CorruptLine] = []
    table = _read_parquet_table(path, found)
    rows = pl.DataFrame(schema=_EMPTY_ROWS)
    if table is not None:
        columns = [c for c in table.columns if c != _ROW]
        if sorted(columns) != sorted(PARQUET_CAPTURE_SCHEMA):
            reason = f"columns must be exactly {sorted(PARQUET_CAPTURE_SCHEMA)}, got {sorted(columns)}"
            found.append(CorruptLine(1, "", reason, "GOV_DQ_SCHEMA"))
        elif table.height:
            rows = _checked_rows(table, found)
    if found:
        found.sort(key=lambda c: c.line_no)
        if corrupt is None:
            first = found[0]
            raise CaptureFormatError(path, first.line_no, first.reason)
        corrupt.extend(found)
    return rows


def _checked_rows(table: pl.DataFrame, found: list[CorruptLine]) -> pl.DataFrame:
    for name in ("channel", "frame"):
        if table.schema[name] == pl.Binary:
            table = _decode_binary(table, name)
    seq, seq_bad = _integer_column(table, "seq")
    recv, recv_bad = _integer_column(table, "recv_ms")
    channel, channel_bad, channel_code = _string_column(table, "channel", non_empty=True)
    frame, frame_bad, frame_code = _string_column(table, "frame", non_empty=False)
    ts_bad = pl.when(~recv.is_between(_MIN_MS, _MAX_MS, closed="left")).then(
        pl.format("recv_ms {} is not epoch milliseconds", recv.cast(pl.String))
    )
    schema = pl.lit("GOV_DQ_SCHEMA")
    checked = table.select(
        _ROW, _seq=seq, _recv=recv, _channel=channel, _frame=frame,
        _reason=pl.coalesce(
            seq_bad,
            pl.when(seq < 0).then(pl.format("seq {} is negative", seq.cast(pl.String))),
            recv_bad, ts_bad, channel_bad, frame_bad,
        ),
        _code=pl.when(seq_bad.is_not_null() | (seq < 0) | recv_bad.is_not_null()).then(schema)
        .when(ts_bad.is_not_null()).then(pl.lit("GOV_DQ_TS_UNITS"))
        .when(channel_bad.is_not_null()).then(channel_code)
        .otherwise(frame_code),
    )
    # Among otherwise valid rows, a seq seen in an earlier stored row is a corrupt row of its own.
    ordered = checked.sort("_seq", nulls_last=True, maintain_order=True)  # stable: ties in stored order
    repeat = (pl.col("_seq") == pl.col("_seq").shift(1)) & pl.col("_reason").is_null()
    ordered = ordered.with_columns(
        _code=pl.when(repeat).then(schema).otherwise("_code"),
        _reason=pl.when(repeat).then(pl.format("seq {} repeats an earlier stored row", pl.col("_seq"))).otherwise(
            "_reason"
        ),
    )
    bad_rows = ordered.filter(pl.col("_reason").is_not_null())
    if bad_rows.height:
        originals = table.join(bad_rows.select(_ROW, "_reason", "_code"), on=_ROW).sort(_ROW)
        for row in originals.iter_rows(named=True):
            raw = _raw_row({k: row[k] for k in PARQUET_CAPTURE_SCHEMA})
            found.append(CorruptLine(int(row[_ROW]), raw, row["_reason"], row["_code"]))
        ordered = ordered.filter(pl.col("_reason").is_null())
    return ordered.select(
        line_no=pl.col("_seq") + 1, recv_ms=pl.col("_recv"), channel=pl.col("_channel"), frame=pl.col("_frame")
    )


def list_fixture_days(root: Path | str) -> list[str]:
    """Fixture days under ``root``: names of sub-directories that are valid ISO dates
    (``YYYY-MM-DD``) and contain ``capture.jsonl.gz`` or ``capture.parquet``, sorted ascending.

    Raises FileNotFoundError when ``root`` is not a directory.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"fixture root {root} is not a directory")
    days = []
    for child in root.iterdir():
        if not (child.is_dir() and _DAY_RE.match(child.name)):
            continue
        if not any((child / name).is_file() for name in CAPTURE_FILES):
            continue
        try:
            date.fromisoformat(child.name)
        except ValueError:
            continue
        days.append(child.name)
    return sorted(days)
