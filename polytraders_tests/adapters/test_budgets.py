"""FreshnessBudgets: the adapter boundary's one settings object (budgets per source, feed liveness)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from polytraders.adapters.budgets import DEFAULT_BUDGETS, FreshnessBudgets, FreshnessBudgetsError
from polytraders.adapters.capture import CAPTURE_SCHEMA
from polytraders.adapters.polymarket import normalise_book_response, normalise_capture, normalise_market_frame
from polytraders.contracts import OrderBookSnapshot
from polytraders.contracts.types import Quality
from polytraders.defs import environment
from polytraders.runtime import stages, streams

REPO = Path(__file__).resolve().parents[2]
CID = "0x" + "ab" * 32
TOKEN = "123456789"
SOURCE_TS = 1_790_000_000_000
#: One book received 1,500 ms after its venue timestamp.
BOOK = json.dumps({"event_type": "book", "market": CID, "asset_id": TOKEN, "timestamp": str(SOURCE_TS),
                   "hash": "h", "bids": [{"price": "0.48", "size": "10"}], "asks": [{"price": "0.52", "size": "7"}]},
                  separators=(",", ":"))
RECV = SOURCE_TS + 1_500
TICKS = {TOKEN: Decimal("0.01")}


def test_defaults_when_read_then_documented_values_each_with_a_description() -> None:
    assert DEFAULT_BUDGETS.model_dump() == {
        "ws_market_ms": 2_000, "ws_user_ms": 5_000, "rest_book_ms": 5_000, "markets_metadata_ms": 86_400_000,
        "top_of_book_poll_ms": 5_000, "feed_liveness_ms": 120_000,
    }
    assert all(field.description and len(field.description) > 40 for field in FreshnessBudgets.model_fields.values())


@pytest.mark.parametrize(("budget_ms", "quality"), [(1_500, Quality.OK), (1_499, Quality.WARN)])
def test_normalise_when_budget_changes_then_same_frame_changes_quality(budget_ms: int, quality: Quality) -> None:
    budgets = FreshnessBudgets(ws_market_ms=budget_ms)
    [book] = normalise_market_frame(BOOK, RECV, TICKS, budgets)
    assert isinstance(book, OrderBookSnapshot)
    assert (book.freshness.age_ms, book.freshness.budget_ms, book.freshness.quality) == (1_500, budget_ms, quality)
    capture = pl.DataFrame({"recv_ms": [RECV], "channel": ["market"], "frame": [BOOK]}, schema=CAPTURE_SCHEMA)
    fast = normalise_capture(capture, TICKS, budgets).book_snapshots["freshness"].struct.field("quality")
    assert fast.to_list() == [quality.value]


def test_normalise_when_budget_tightened_then_ok_becomes_warn_and_config_version_changes() -> None:
    tight = FreshnessBudgets(ws_market_ms=1_000)
    [ok] = normalise_market_frame(BOOK, RECV, TICKS)
    [warn] = normalise_market_frame(BOOK, RECV, TICKS, tight)
    assert (ok.freshness.quality, warn.freshness.quality) == (Quality.OK, Quality.WARN)
    assert ok.freshness.provenance_hash == warn.freshness.provenance_hash  # the same payload
    assert streams.adapter_config_version(tight) != streams.adapter_config_version(DEFAULT_BUDGETS)
    assert streams.adapter_config_version(FreshnessBudgets(ws_market_ms=2_000)) == DEFAULT_BUDGETS.version()
    assert len(DEFAULT_BUDGETS.version()) == 16


def test_normalise_book_response_when_rest_budget_set_then_graded_on_it_not_on_the_ws_budget() -> None:
    [book] = normalise_book_response(BOOK, SOURCE_TS + 4_000, TICKS)
    assert (book.freshness.budget_ms, book.freshness.quality) == (5_000, Quality.OK)
    [book] = normalise_book_response(BOOK, SOURCE_TS + 4_000, TICKS, FreshnessBudgets(rest_book_ms=3_999))
    assert (book.freshness.budget_ms, book.freshness.quality) == (3_999, Quality.WARN)


def test_ingest_when_stale_book_scenario_with_looser_budget_then_no_warn(tmp_path: Path) -> None:
    pack = REPO / "fixtures" / "pack" / "warning" / "stale_book"
    day = tmp_path / "2026-09-28"
    day.mkdir()
    for name in ("capture.jsonl.gz", "markets.json"):
        (day / name).symlink_to(pack / name)
    instruments, _ = stages.registry(day)

    def warned(budgets: FreshnessBudgets) -> int:
        quality = stages.ingest(day, instruments, budgets).book_snapshots["freshness"].struct.field("quality")
        return int((quality == "WARN").sum())

    # 36 books arrive up to 19,182 ms late (SCENARIO.json): WARN at 2 s, all OK at 20 s.
    assert (warned(DEFAULT_BUDGETS), warned(FreshnessBudgets(ws_market_ms=20_000))) == (36, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, DEFAULT_BUDGETS), ("", DEFAULT_BUDGETS),
     ('{"ws_market_ms": 500, "feed_liveness_ms": 60000}', FreshnessBudgets(ws_market_ms=500, feed_liveness_ms=60_000))],
)
def test_from_json_when_partial_object_then_overrides_only_those_fields(text: str | None,
                                                                        expected: FreshnessBudgets) -> None:
    assert FreshnessBudgets.from_json(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("{", "not valid JSON"), ("[1]", "must be a JSON object"), ('{"ws_markt_ms": 1}', "ws_markt_ms"),
     ('{"ws_market_ms": -1}', "ws_market_ms"), ('{"ws_market_ms": "2000"}', "ws_market_ms"),
     ('{"feed_liveness_ms": 0}', "feed_liveness_ms")],
)
def test_from_json_when_bad_then_error_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(FreshnessBudgetsError, match=message):
        FreshnessBudgets.from_json(text)


def test_settings_when_env_var_set_then_budgets_from_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYTRADERS_FRESHNESS_BUDGETS", '{"rest_book_ms": 7000}')
    assert environment.current().freshness_budgets == FreshnessBudgets(rest_book_ms=7_000)
    monkeypatch.delenv("POLYTRADERS_FRESHNESS_BUDGETS")
    assert environment.current().freshness_budgets == DEFAULT_BUDGETS
    monkeypatch.setenv("POLYTRADERS_FRESHNESS_BUDGETS", '{"nope": 1}')
    with pytest.raises(ValueError, match="nope"):
        environment.current()


def test_budgets_when_changed_then_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        DEFAULT_BUDGETS.ws_market_ms = 1  # type: ignore[misc]
