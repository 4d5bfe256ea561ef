"""sec.secret_redactor: masking every form of a secret, findings without the secret, files, DuckDB and Parquet rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from polytraders.bots.sec import secret_redactor as sr

HEX = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"  # a test private key's digits
KEY = "0x" + HEX
WORDS = "correct horse_battery!"  # a derivation secret (text)
SECRETS = {"signing_key": KEY, "derivation": WORDS}


def test_redact_when_hex_key_in_every_form_then_each_masked_and_counted() -> None:
    text = f"a={KEY} b={HEX} c=0X{HEX.upper()} d={HEX.upper()} e=0x{HEX[:32]}{HEX[32:].upper()}"
    out, count = sr.redact(text, [KEY])
    # 5 forms: 0x-lower, bare lower, 0X-upper, bare upper, 0x-mixed; the prefix goes with the digits
    assert (out, count) == ("a=[REDACTED] b=[REDACTED] c=[REDACTED] d=[REDACTED] e=[REDACTED]", 5)


def test_redact_when_key_given_without_prefix_then_prefixed_form_masked_too() -> None:
    assert sr.redact(f"k {KEY} k", [HEX]) == ("k [REDACTED] k", 1)


def test_redact_when_text_secret_then_exact_case_sensitive_literal() -> None:
    text = f"x {WORDS} y {WORDS.upper()} z {WORDS}"
    # the upper-case variant is another string for a text secret: 2 replacements, not 3
    assert sr.redact(text, [WORDS]) == (f"x [REDACTED] y {WORDS.upper()} z [REDACTED]", 2)


def test_redact_when_secret_has_regex_characters_then_they_are_literal() -> None:
    secret = "p@ss.w*rd+(1)[x]"
    text = f"{secret} p@ssXw*rd+(1)[x] p@ss.wwrd+(1)[x]"  # "." and "*" must not act as wildcards
    assert sr.redact(text, [secret]) == ("[REDACTED] p@ssXw*rd+(1)[x] p@ss.wwrd+(1)[x]", 1)


def test_redact_when_one_secret_contains_another_then_longest_masked_whole() -> None:
    short, long = "tok-12345678", "tok-12345678-extended"
    assert sr.redact(f"{long} / {short}", [short, long]) == ("[REDACTED] / [REDACTED]", 2)


def test_redact_when_already_redacted_or_no_secrets_then_nothing_replaced() -> None:
    once, _ = sr.redact(f"k={KEY}", SECRETS)
    assert sr.redact(once, SECRETS) == ("k=[REDACTED]", 0)
    assert sr.redact("anything", []) == ("anything", 0)


@pytest.mark.parametrize("secret", ["", "1234567", "0x1234567", "9q#Zk"])
def test_secret_shorter_than_8_refused_without_echoing_it(secret: str) -> None:
    # "0x1234567" is 9 characters but only 7 hex digits
    with pytest.raises(ValueError, match="secret secret-2 is shorter than 8") as raised:
        sr.redact("text", ["long-enough-secret", secret])
    assert not secret or secret not in str(raised.value)
    with pytest.raises(ValueError, match="secret mine is shorter"):
        sr.scan({"log": "x"}, {"mine": secret})


def test_eight_characters_are_enough() -> None:
    assert sr.redact("ab 12345678 cd", ["12345678"]) == ("ab [REDACTED] cd", 1)


def test_scan_when_texts_mapping_then_findings_name_where_and_label_not_secret() -> None:
    texts = {"app.log": f"start {KEY} and {HEX.upper()} end", "report.md": "clean", "env.txt": f"W={WORDS}"}
    findings = sr.scan(texts, SECRETS)
    assert findings == [
        sr.Finding("app.log", "signing_key", 2),
        sr.Finding("env.txt", "derivation", 1),
    ]
    assert all(KEY not in repr(f) and HEX not in repr(f) and WORDS not in repr(f) for f in findings)
    assert sr.Finding.code == "SEC_SECRET_REDACTED"


def test_scan_when_pairs_and_unlabelled_secrets_then_positional_labels() -> None:
    pairs = [("a", f"{WORDS}{WORDS}"), ("b", KEY)]
    assert sr.scan(pairs, [KEY, WORDS]) == [
        sr.Finding("a", "secret-2", 2),
        sr.Finding("b", "secret-1", 1),
    ]


def test_scan_finds_exactly_what_redact_scrubs() -> None:
    text = f"{KEY} {HEX.upper()} {WORDS} {WORDS.upper()}"
    scrubbed, count = sr.redact(text, SECRETS)
    assert count == sum(f.count for f in sr.scan({"t": text}, SECRETS)) == 3
    assert sr.scan({"t": scrubbed}, SECRETS) == []


def test_scan_paths_when_text_and_binary_forms_then_each_file_reported(tmp_path: Path) -> None:
    (tmp_path / "run.log").write_text(f"signed with {KEY}\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01" + bytes.fromhex(HEX) + b"\xff")  # raw key bytes
    (tmp_path / "dump.txt").write_text(WORDS.encode().hex().upper())  # hex spelling of the text secret
    (tmp_path / "hexdump.txt").write_text(HEX.upper().encode().hex())  # hex spelling of the key's upper-case text
    (tmp_path / "clean.json").write_text('{"ok": true}')
    (tmp_path / "empty").write_bytes(b"")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "deep.log").write_bytes(f"{WORDS}|{WORDS}".encode())
    findings = sr.scan_paths([tmp_path], SECRETS)
    assert findings == [  # files in sorted path order
        sr.Finding(str(tmp_path / "blob.bin"), "signing_key", 1),
        sr.Finding(str(tmp_path / "dump.txt"), "derivation", 1),
        sr.Finding(str(tmp_path / "hexdump.txt"), "signing_key", 1),
        sr.Finding(str(tmp_path / "run.log"), "signing_key", 1),
        sr.Finding(str(sub / "deep.log"), "derivation", 2),
    ]


def test_scan_paths_raw_bytes_only_for_hex_secrets_of_at_least_8_bytes(tmp_path: Path) -> None:
    eight, seven = "deadbeefcafe0123", "deadbeefcafe01"  # 16 digits = 8 bytes; 14 digits = 7 bytes
    (tmp_path / "a.bin").write_bytes(b"\x00" + bytes.fromhex(eight) + b"\x00")
    (tmp_path / "b.bin").write_bytes(b"\x00" + bytes.fromhex(seven) + b"\x00")
    assert sr.scan_paths([tmp_path], {"eight": eight, "seven": seven}) == [
        sr.Finding(str(tmp_path / "a.bin"), "eight", 1),  # b.bin's 7 raw bytes are not searched for
    ]


def test_scan_paths_when_file_missing_then_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        sr.scan_paths([tmp_path / "absent.log"], SECRETS)


def test_scan_paths_when_duckdb_then_every_table_row_is_searched(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA events")
        con.execute("CREATE TABLE events.envelopes (id INTEGER, payload VARCHAR, raw BLOB)")
        rows = [(i, f"note {i} key={KEY}" if i % 10 == 0 else f"row {i}", None) for i in range(2000)]
        rows[5] = (5, "row 5", bytes.fromhex(HEX))
        con.executemany("INSERT INTO events.envelopes VALUES (?, ?, ?)", rows)
        con.execute("CREATE TABLE main.notes (text VARCHAR)")
        con.execute("INSERT INTO main.notes VALUES (?), ('clean')", [f"pw={WORDS}"])
    found = [f for f in sr.scan_paths([path], SECRETS) if "::" in f.where]
    # rows 0, 10, ..., 1990 = 200 texts with the key, + row 5's BLOB (hex(raw) = the key's digits) = 201
    assert found == [
        sr.Finding(f"{path}::events.envelopes", "signing_key", 201),
        sr.Finding(f"{path}::main.notes", "derivation", 1),
    ]


def test_scan_paths_when_parquet_then_rows_are_searched(tmp_path: Path) -> None:
    path = tmp_path / "envelopes.parquet"
    frame = pl.DataFrame({"payload": [f"x {WORDS} y"] * 300 + ["clean"], "raw": [None] * 300 + [b"\x00" * 40]})
    frame.write_parquet(path)  # zstd-compressed pages
    found = [f for f in sr.scan_paths([path], SECRETS) if "::" in f.where]
    assert found == [sr.Finding(f"{path}::rows", "derivation", 300)]  # 300 rows with the text secret


def test_scan_paths_is_deterministic(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text(KEY * 3)
    assert (
        sr.scan_paths([tmp_path], SECRETS)
        == sr.scan_paths([tmp_path], SECRETS)
        == [sr.Finding(str(tmp_path / "a.log"), "signing_key", 3)]
    )
