"""polytraders.adapters.polymarket.book_hash: the stand-in rule, its frame form, and the day's declaration."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from polytraders.adapters.polymarket import book_hash as bh

BOOK: dict[str, Any] = {
    "market": "0xab12",
    "asset_id": "42",
    "timestamp": "1790585112649",
    "hash": "0" * 40,
    "bids": [{"price": "0.48", "size": "232.25"}, {"price": "0.5", "size": "10"}],
    "asks": [{"price": "0.52", "size": "5"}],
    "tick_size": "0.01",
    "event_type": "book",
    "last_trade_price": "",
}
#: The documented body of BOOK (fixtures/README.md, book ``hash``), written out by hand: the five
#: members in this order, the frame's strings and level order, no whitespace, no hash / tick_size.
BODY = (
    '{"market":"0xab12","asset_id":"42","timestamp":"1790585112649",'
    '"bids":[{"price":"0.48","size":"232.25"},{"price":"0.5","size":"10"}],'
    '"asks":[{"price":"0.52","size":"5"}]}'
)
LEVELS = pl.List(pl.Struct({"price": pl.String, "size": pl.String}))
FRAME_SCHEMA = {"market": pl.String, "asset_id": pl.String, "timestamp": pl.String, "bids": LEVELS, "asks": LEVELS}


def test_rule_when_hand_made_book_then_sha1_of_the_documented_body() -> None:
    assert bh.sha1_v1_body(BOOK) == BODY
    assert bh.polytraders_sha1_v1(BOOK) == hashlib.sha1(BODY.encode()).hexdigest()
    assert bh.RULES["polytraders-sha1-v1"] is bh.polytraders_sha1_v1


def test_rule_when_other_members_or_level_key_order_differ_then_same_digest() -> None:
    other = dict(BOOK, hash="f" * 40, tick_size="0.001", last_trade_price="0.5", extra="x")
    other["bids"] = [{"size": "232.25", "price": "0.48"}, {"price": "0.5", "size": "10", "note": "y"}]
    assert bh.polytraders_sha1_v1(other) == bh.polytraders_sha1_v1(BOOK)


def test_rule_when_a_string_changes_form_or_levels_reorder_then_other_digest() -> None:
    # "0.50" is the same price as "0.5" but not the same string: the rule hashes strings as sent.
    longer = dict(BOOK, bids=[{"price": "0.48", "size": "232.25"}, {"price": "0.50", "size": "10"}])
    swapped = dict(BOOK, bids=BOOK["bids"][::-1])
    digests = {bh.polytraders_sha1_v1(b) for b in (BOOK, longer, swapped)}
    assert len(digests) == 3


@pytest.mark.parametrize(("change", "message"), [
    ({"asset_id": None}, "asset_id=None is not a string"),
    ({"timestamp": 1790585112649}, "timestamp=1790585112649 is not a string"),
    ({"asks": "[]"}, "asks='[]' is not a list"),
    ({"bids": [{"price": Decimal("0.48"), "size": "1"}]}, "bids[0]="),
    ({"bids": ["0.48"]}, "bids[0]='0.48' is not a level"),
])
def test_rule_when_member_not_a_string_then_book_hash_error(change: dict[str, Any], message: str) -> None:
    with pytest.raises(bh.BookHashError, match=message.replace("[", r"\[").replace("(", r"\(")):
        bh.polytraders_sha1_v1({**BOOK, **change})


def test_frame_rule_when_books_then_same_digests_as_the_object_rule() -> None:
    empty_side = dict(BOOK, asks=[], bids=[{"price": "0.001", "size": "1000000"}])
    frame = pl.DataFrame([{k: b[k] for k in FRAME_SCHEMA} for b in (BOOK, empty_side)], schema=FRAME_SCHEMA)
    got = bh.FRAME_RULES["polytraders-sha1-v1"](frame)
    assert got.name == "derived_hash" and got.dtype == pl.String
    assert got.to_list() == [bh.polytraders_sha1_v1(BOOK), bh.polytraders_sha1_v1(empty_side)]


def _day(tmp_path: Path, manifest: str | None) -> Path:
    day = tmp_path / "2026-09-28"
    day.mkdir()
    if manifest is not None:
        (day / "MANIFEST.json").write_text(manifest)
    return day


@pytest.mark.parametrize(("manifest", "rule"), [
    (None, None),  # no MANIFEST.json
    ('{"day": "2026-09-28"}', None),  # no key: the live venue rule is not reproducible, no check
    ('{"book_hash_rule": "venue-live-v1"}', None),  # a rule we do not know
    ('{"book_hash_rule": null}', None),
    ('{"book_hash_rule": "polytraders-sha1-v1"}', "polytraders-sha1-v1"),
])
def test_declared_rule_when_manifest_then_known_rule_or_none(tmp_path: Path, manifest: str | None,
                                                             rule: str | None) -> None:
    assert bh.declared_rule(_day(tmp_path, manifest)) == rule


@pytest.mark.parametrize("manifest", ['{"book_hash_rule": ', '["polytraders-sha1-v1"]'])
def test_declared_rule_when_manifest_unreadable_then_value_error(tmp_path: Path, manifest: str) -> None:
    with pytest.raises(ValueError, match="MANIFEST.json is not"):
        bh.declared_rule(_day(tmp_path, manifest))


def test_require_rule_when_unknown_then_value_error() -> None:
    assert bh.require_rule(None) is None and bh.require_rule("polytraders-sha1-v1") == "polytraders-sha1-v1"
    with pytest.raises(ValueError, match="unknown book hash rule 'venue-live-v1'"):
        bh.require_rule("venue-live-v1")


def test_bundled_day_declares_the_rule_its_build_uses() -> None:
    day = Path(__file__).resolve().parents[3] / "fixtures" / "2026-09-28"
    manifest = json.loads((day / "MANIFEST.json").read_text())
    assert manifest[bh.MANIFEST_KEY] == bh.POLYTRADERS_SHA1_V1 == bh.declared_rule(day)
