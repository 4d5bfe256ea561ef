"""sec.secret_redactor — scrub secrets from text, and find them in texts, files and stored tables.

Method
    A secret is matched in every form it is likely to be written in:
      text forms   — the secret itself; a hex secret (``0x`` optional, then hex digits, e.g. a
                     private key) in any case of its digits, with or without ``0x`` / ``0X``
                     (the prefix is scrubbed with it);
      hex spelling — the hex of the text's UTF-8 bytes (digits in either case; for a hex secret,
                     of its digits in lower and in upper case), as a hex dump writes it;
      raw bytes    — for a hex secret of an even number of digits spelling at least 8 bytes,
                     those bytes (a key stored as a BLOB).
    :func:`redact` and :func:`scan` match the text forms (scan finds what redact scrubs);
    :func:`scan_paths` matches all three in each file's bytes. Secrets are matched longest first
    in :func:`redact`, so a secret that contains another is masked whole.

    Stored tables: a database or Parquet file compresses its columns (DuckDB's FSST / dictionary
    compression, Parquet's page codecs), so a secret in a column is usually not in the file's
    bytes. :func:`scan_paths` therefore also reads every table of a DuckDB file (magic ``DUCK``
    at byte 8) and the rows of a Parquet file (magic ``PAR1``) through DuckDB, each column as
    text (a BLOB as its hex, anything else cast to VARCHAR), and counts the text forms and hex
    spellings there with DuckDB's ``regexp_extract_all``. Other compressed files (gzip, zip)
    are matched only as stored.

    A secret shorter than :data:`MIN_SECRET_CHARS` (8; hex digits for a hex secret) is refused:
    scanning for it would hit innocent text. The mask and the minimum are fixed (no config), so
    every artefact is scrubbed alike.

    A :class:`Finding` names where a secret was found and the secret's label — the key of a
    ``Mapping`` of secrets, or ``secret-<n>`` (1-based position) — never the secret. A caller
    reports it under SEC_SECRET_REDACTED (:attr:`Finding.code`).

Inputs
    ``secrets`` — an iterable of secret strings, or a Mapping {label: secret}; ``texts`` — a
    Mapping {where: text} or an iterable of (where, text) pairs; ``paths`` — files or
    directories (searched recursively, files in sorted order).

Returns
    :func:`redact`: (text with every occurrence replaced by :data:`MASK`, number of replacements).
    :func:`scan` / :func:`scan_paths`: list[Finding], one per (where, secret) with at least one
    occurrence, in input order then secret order; empty = clean. A file's ``where`` is its path;
    a table's is ``<path>::<schema>.<table>``, a Parquet file's rows ``<path>::rows``.

Reason codes
    SEC_SECRET_REDACTED.

Raises
    ValueError — a secret shorter than 8 characters (the message names its label, not the
    secret). OSError (e.g. FileNotFoundError) — a path that cannot be read. duckdb.Error — a
    DuckDB file another process holds the write lock on, or a corrupt DuckDB / Parquet file.
"""

from __future__ import annotations

import mmap
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import duckdb

from polytraders.bots.base import BotConfig
from polytraders.contracts import reason_codes

SLUG = "sec.secret_redactor"
VERSION = "0.1.0"

SECRET_REDACTED = reason_codes.require("SEC_SECRET_REDACTED")

MASK = "[REDACTED]"
MIN_SECRET_CHARS = 8

Secrets = Iterable[str] | Mapping[str, str]

_HEX = re.compile(r"(?:0[xX])?([0-9a-fA-F]+)")
#: Escaped with a backslash: the same literal in Python ``re`` and DuckDB's RE2.
_SPECIAL = frozenset(string.punctuation) - {"_"}


class Config(BotConfig):
    """sec.secret_redactor has no parameters: :data:`MASK` and :data:`MIN_SECRET_CHARS` are fixed."""


@dataclass(frozen=True, slots=True)
class Finding:
    """``count`` occurrences of the secret labelled ``secret`` in ``where`` (a text's name, a path, a table)."""

    code: ClassVar[str] = SECRET_REDACTED

    where: str
    secret: str
    count: int


def redact(text: str, secrets: Secrets) -> tuple[str, int]:
    """``text`` with every text form of every secret replaced by :data:`MASK`, and the count replaced."""
    labelled = _labelled(secrets)
    if not labelled:
        return text, 0
    longest_first = sorted((secret for _, secret in labelled), key=lambda secret: -len(_core(secret)))
    pattern = re.compile("|".join(map(_text_pattern, longest_first)))
    return pattern.subn(MASK, text)


def scan(texts: Mapping[str, str] | Iterable[tuple[str, str]], secrets: Secrets) -> list[Finding]:
    """Where the secrets' text forms occur in ``texts`` (see the module docstring)."""
    patterns = [(label, re.compile(_text_pattern(secret))) for label, secret in _labelled(secrets)]
    pairs = texts.items() if isinstance(texts, Mapping) else texts
    return [
        Finding(where, label, count)
        for where, text in pairs
        for label, pattern in patterns
        if (count := sum(1 for _ in pattern.finditer(text)))
    ]


def scan_paths(paths: Iterable[str | Path], secrets: Secrets) -> list[Finding]:
    """Where the secrets occur in the files under ``paths``: their bytes, and the rows of the
    DuckDB and Parquet files among them (see the module docstring)."""
    labelled = _labelled(secrets)
    in_bytes = [(label, re.compile(_bytes_pattern(secret))) for label, secret in labelled]
    in_rows = [(label, "|".join(_spelled_patterns(secret))) for label, secret in labelled]
    findings: list[Finding] = []
    for path in _files(paths):
        with path.open("rb") as handle:
            if path.stat().st_size == 0:
                continue
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                head = data[:12]
                findings += [
                    Finding(str(path), label, count)
                    for label, pattern in in_bytes
                    if (count := sum(1 for _ in pattern.finditer(data)))
                ]
        findings += _row_findings(path, head, in_rows)
    return findings


def _row_findings(path: Path, head: bytes, patterns: list[tuple[str, str]]) -> list[Finding]:
    """Findings in the rows of a DuckDB or Parquet file (none for any other file)."""
    if head[8:12] == b"DUCK":
        connection = duckdb.connect(str(path), read_only=True)
        names = connection.execute("SELECT schema_name, table_name FROM duckdb_tables() ORDER BY 1, 2").fetchall()
        sources = [(f"{schema}.{table}", f"{_quoted(schema)}.{_quoted(table)}") for schema, table in names]
    elif head[:4] == b"PAR1":
        connection = duckdb.connect()
        sources = [("rows", "read_parquet('{}')".format(str(path).replace("'", "''")))]
    else:
        return []
    findings = []
    with connection:
        for name, source in sources:
            columns = connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
            texts = [
                f"hex({_quoted(column)})" if kind == "BLOB" else f"CAST({_quoted(column)} AS VARCHAR)"
                for column, kind, *_ in columns
            ]
            for label, pattern in patterns:
                total = " + ".join(f"coalesce(sum(len(regexp_extract_all({text}, $pattern))), 0)" for text in texts)
                count = connection.execute(f"SELECT {total or 0} FROM {source}", {"pattern": pattern}).fetchone()[0]
                if count:
                    findings.append(Finding(f"{path}::{name}", label, int(count)))
    return findings


def _labelled(secrets: Secrets) -> list[tuple[str, str]]:
    """(label, secret) pairs in input order; refuses a secret that is too short."""
    pairs = list(secrets.items()) if isinstance(secrets, Mapping) else [
        (f"secret-{n}", secret) for n, secret in enumerate(secrets, start=1)
    ]  # fmt: skip
    for label, secret in pairs:
        if len(_core(secret)) < MIN_SECRET_CHARS:
            raise ValueError(f"secret {label} is shorter than {MIN_SECRET_CHARS} characters: too short to scan for")
    return pairs


def _core(secret: str) -> str:
    """The hex digits of a hex secret (``0x`` dropped), else the secret itself."""
    match = _HEX.fullmatch(secret)
    return match.group(1) if match else secret


def _text_pattern(secret: str) -> str:
    if _HEX.fullmatch(secret):
        return f"(?i:(?:0x)?{_core(secret)})"
    return "".join("\\" + char if char in _SPECIAL else char for char in secret)


def _spelled_patterns(secret: str) -> list[str]:
    """The text form and the hex spellings (valid both in Python ``re`` and in RE2)."""
    core = _core(secret)
    spellings = sorted({core.lower(), core.upper()}) if _HEX.fullmatch(secret) else [secret]
    return [_text_pattern(secret)] + [f"(?i:{spelling.encode().hex()})" for spelling in spellings]


def _bytes_pattern(secret: str) -> bytes:
    forms = [pattern.encode() for pattern in _spelled_patterns(secret)]
    core = _core(secret)
    if _HEX.fullmatch(secret) and len(core) % 2 == 0 and len(core) // 2 >= MIN_SECRET_CHARS:
        forms.append(re.escape(bytes.fromhex(core)))
    return b"|".join(forms)


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _files(paths: Iterable[str | Path]) -> Iterator[Path]:
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(child for child in path.rglob("*") if child.is_file())
        else:
            yield path
