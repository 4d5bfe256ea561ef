"""Every payload file under fixtures/reference/ normalises, or is quarantined with the asserted codes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from polytraders.adapters.polymarket import (
    normalise_book_response,
    normalise_gamma_markets,
    normalise_market_frame,
    normalise_markets_page,
    normalise_trades_response,
    normalise_user_frame,
)
from polytraders.contracts import QuarantineRecord
from polytraders.contracts.reason_codes import REGISTRY

REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "reference"
NOW = 1_780_000_000_000
MILLI, CENT = Decimal("0.001"), Decimal("0.01")
TICKS = {
    "21742633143463906290569050155826241533067272736897614950488156847949938836455": MILLI,
    "48331043336612883890938759509493159234755048973500640148014422747788308965732": MILLI,
    "71321045679252212594626385532706912750332728571942532289631379312455583992563": CENT,
    "52114319501245915516055106046884209969926127482827954674443846427813813222426": CENT,
    "85354956062430465315924116860125388538595433819574542752031640332592237464430": CENT,
    "23360939988679364027624185518382759743328544433592111535569478055890815567848": CENT,
    "12345678901234567890": CENT,
    "73" + "0" * 72 + "101": CENT,
    "29" + "0" * 72 + "202": CENT,
    "8" + "0" * 71 + "77777": MILLI,
}
ROUTES = {
    "market": lambda raw: normalise_market_frame(raw, NOW, TICKS),
    "user": lambda raw: normalise_user_frame(raw, NOW, "3e2c94ca-8124-c4c1-c7ea-be1ea21b71fe"),
    "book": lambda raw: normalise_book_response(raw, NOW, TICKS),
    "markets": lambda raw: normalise_markets_page(raw, NOW),
    "gamma": lambda raw: normalise_gamma_markets(raw, NOW),
    "trades": lambda raw: normalise_trades_response(raw, NOW, "3e2c94ca-8124-c4c1-c7ea-be1ea21b71fe"),
}
MISSING, TS, BAD_ID, NO_OWN = "GOV_DQ_MISSING_FIELD", "GOV_DQ_TS_UNITS", "GOV_DQ_BAD_ID", "GOV_DQ_NO_OWN_FILL"
UNKNOWN_EVENT = "GOV_DQ_UNKNOWN_EVENT"
WS = "nautilus_trader/tests/integration_tests/adapters/polymarket/resources/ws_messages/"
HTTP = "nautilus_trader/tests/integration_tests/adapters/polymarket/resources/http_responses/"
RS = "nautilus_trader/crates/adapters/polymarket/test_data/"
#: file -> (normaliser, reason codes of its quarantined outputs; empty = everything normalises).
#: Files of endpoints this adapter does not normalise (orders API, balances, RTDS, Data API, tags,
#: search) go to the market channel, where their lack of ``event_type`` quarantines them.
EXPECTED: dict[str, tuple[str, set[str]]] = {
    WS + "book.json": ("market", set()),
    WS + "last_trade_price.json": ("market", set()),
    WS + "order_cancel.json": ("user", set()),
    WS + "order_placement.json": ("user", set()),
    WS + "price_change.json": ("market", set()),
    WS + "price_change_v2.json": ("market", set()),
    WS + "tick_size_change.json": ("market", set()),
    WS + "trades.json": ("trades", set()),
    WS + "user_trade1.json": ("user", set()),
    WS + "user_trade2.json": ("user", set()),
    WS + "user_trade3.json": ("user", {TS}),
    WS + "user_trade4.json": ("user", {TS}),
    HTTP + "book.json": ("book", set()),
    HTTP + "event.json": ("gamma", {MISSING}),
    HTTP + "events_list.json": ("gamma", {MISSING}),
    HTTP + "market.json": ("markets", set()),
    HTTP + "market_slug.json": ("gamma", {MISSING}),
    HTTP + "markets.json": ("markets", {BAD_ID}),
    HTTP + "markets_list.json": ("gamma", {MISSING}),
    HTTP + "trades.json": ("trades", {MISSING}),
    RS + "clob_book_response.json": ("book", set()),
    RS + "clob_market_closed_binary_accepting_false.json": ("markets", set()),
    RS + "clob_market_closed_binary_accepting_true.json": ("markets", set()),
    RS + "gamma_event.json": ("gamma", set()),
    RS + "gamma_market.json": ("gamma", set()),
    RS + "gamma_market_closed_binary_accepting_false.json": ("gamma", set()),
    RS + "gamma_market_closed_binary_accepting_true.json": ("gamma", set()),
    RS + "gamma_market_closed_nonbinary_legacy.json": ("gamma", {MISSING}),
    RS + "gamma_market_closed_zero_zero_legacy.json": ("gamma", {MISSING}),
    RS + "gamma_market_sports_market_map_handicap.json": ("gamma", set()),
    RS + "gamma_market_sports_market_money_line.json": ("gamma", set()),
    RS + "gamma_tags.json": ("gamma", {MISSING}),
    RS + "search_response.json": ("gamma", {MISSING}),
    RS + "ws_book_snapshot.json": ("book", set()),
    RS + "ws_last_trade.json": ("market", {MISSING}),
    RS + "ws_market_best_bid_ask_msg.json": ("market", set()),
    RS + "ws_market_book_msg.json": ("market", set()),
    RS + "ws_market_last_trade_msg.json": ("market", set()),
    RS + "ws_market_new_market_msg.json": ("market", set()),
    RS + "ws_market_price_change_msg.json": ("market", set()),
    RS + "ws_market_resolved_msg.json": ("market", set()),
    RS + "ws_market_tick_size_msg.json": ("market", set()),
    RS + "ws_quotes.json": ("market", {MISSING}),
    RS + "ws_tick_size_change.json": ("market", {MISSING}),
    RS + "ws_user_order_cancellation.json": ("user", {MISSING}),
    RS + "ws_user_order_fok_killed.json": ("user", {BAD_ID}),
    RS + "ws_user_order_matched.json": ("user", {MISSING}),
    RS + "ws_user_order_msg.json": ("user", set()),
    RS + "ws_user_order_placement.json": ("user", {MISSING}),
    RS + "ws_user_order_update.json": ("user", {MISSING}),
    RS + "ws_user_order_venue_cancel.json": ("user", {MISSING}),
    RS + "ws_user_trade.json": ("user", {MISSING}),
    RS + "ws_user_trade_msg.json": ("user", set()),
    RS + "http_trade_report.json": ("trades", {TS}),
    RS + "http_trades_page.json": ("trades", {TS}),
    RS + "http_open_order.json": ("user", {MISSING}),
    RS + "http_open_order_sell_fok.json": ("user", {MISSING}),
    RS + "http_open_orders_page.json": ("user", {MISSING}),
    RS + "http_signed_order.json": ("user", {MISSING}),
    RS + "http_order_response_ok.json": ("user", {MISSING}),
    RS + "http_order_response_failed.json": ("user", {MISSING}),
    RS + "http_order_response_error_500.json": ("user", {MISSING}),
    RS + "http_cancel_response_ok.json": ("user", {MISSING}),
    RS + "http_cancel_response_failed.json": ("user", {MISSING}),
    RS + "http_batch_cancel_response.json": ("user", {MISSING}),
    RS + "http_balance_allowance_collateral.json": ("user", {MISSING}),
    RS + "http_balance_allowance_no_allowance.json": ("user", {MISSING}),
    RS + "clob_fee_rate_response_zero.json": ("user", {MISSING}),
    RS + "clob_fee_rate_response_nonzero.json": ("user", {MISSING}),
    RS + "rtds_crypto_prices_subscribe.json": ("market", {MISSING}),
    RS + "rtds_crypto_prices_update.json": ("market", {MISSING}),
    RS + "rtds_equity_prices_subscribe.json": ("market", {MISSING}),
    RS + "rtds_equity_prices_update.json": ("market", {MISSING}),
    RS + "data_api_positions_response.json": ("trades", {MISSING}),
    RS + "data_api_trades_response.json": ("trades", {MISSING}),
    "own/gamma_events.json": ("gamma", {MISSING}),
    "own/rest_book_2026.json": ("book", set()),
    "own/ws_book_0001_grid.json": ("market", set()),
    "own/ws_user_order_fok_killed.json": ("user", set()),
    "own/ws_user_trade_maker.json": ("user", {NO_OWN}),
    "own/market_capture.jsonl": ("market", set()),
}
PAYLOADS = sorted(
    str(path.relative_to(REFERENCE)) for path in REFERENCE.rglob("*") if path.suffix in (".json", ".jsonl")
)


def test_expected_table_when_listing_reference_files_then_every_file_has_an_entry() -> None:
    assert set(PAYLOADS) == set(EXPECTED)


@pytest.mark.parametrize("name", PAYLOADS)
def test_normalise_when_reference_file_then_normalised_or_quarantined_with_expected_code(name: str) -> None:
    route, codes = EXPECTED[name]
    text = (REFERENCE / name).read_text(encoding="utf-8")
    frames = [line for line in text.splitlines() if line.strip()] if name.endswith(".jsonl") else [text]
    out = [item for frame in frames for item in ROUTES[route](frame)]
    quarantined = {item.reason_code for item in out if isinstance(item, QuarantineRecord)}
    assert out
    assert quarantined == codes and quarantined <= set(REGISTRY)
    if not codes:
        assert all(not isinstance(item, QuarantineRecord) for item in out)
