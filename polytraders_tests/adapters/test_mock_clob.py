"""adapters.mock_clob: the venue's admission checks and refusal texts, taking / resting / killing,
the user-channel messages (parsed back by normalise_user_frame), cancels, batches, not-ready, delays.

Tape, times as offsets from T0 (ms):

====  =====  =====  ==============================================================
 dt    bid    ask    token "1" (tick 0.01, min size 5, standard exchange)
====  =====  =====  ==============================================================
   0   0.48   0.52
 100   0.49   0.51
 200   0.47   0.50
 300   0.51   0.53
====  =====  =====  ==============================================================

Token "2": tick 0.001, min size 5, neg-risk exchange; one book at dt 0: 0.955 / 0.961.
Starting balances: 100 USDC, 50 shares of token "1".
"""

from __future__ import annotations

import json
from decimal import ROUND_FLOOR
from decimal import Decimal as D

import pytest

from polytraders.adapters.mock_clob import MarketRules, MockClob
from polytraders.adapters.mock_venue import BookTape
from polytraders.adapters.polymarket.rejections import reason_code
from polytraders.adapters.polymarket.user import normalise_user_frame
from polytraders.adapters.polymarket.wallets import exchange_address
from polytraders.contracts import Fill, Freshness, MarketSnapshot, OrderEvent
from polytraders.contracts.frames import to_frame
from polytraders.contracts.trading import SignedOrderRequest
from polytraders.contracts.types import OrderType, Side

T0 = 1_700_000_000_000
COND = "0x" + "c" * 64
COND2 = "0x" + "d" * 64
OWNER = "0000aaaa-1111-2222-3333-444455556666"
MAKER = "0x" + "12" * 20
EXCHANGE = exchange_address(137, False)
NEG_EXCHANGE = exchange_address(137, True)
RULES = {
    "1": MarketRules(COND, D("0.01"), D("5"), neg_risk=False),
    "2": MarketRules(COND2, D("0.001"), D("5"), neg_risk=True),
}
ROWS = [
    (0, "1", "0.48", "0.52", "0.01"),
    (100, "1", "0.49", "0.51", "0.01"),
    (200, "1", "0.47", "0.50", "0.01"),
    (300, "1", "0.51", "0.53", "0.01"),
    (0, "2", "0.955", "0.961", "0.001"),
]
FOK_TEXT = "order couldn't be fully filled. FOK orders are fully filled or killed."
FAK_TEXT = "no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found."


def _snapshot(dt: int, token: str, bid: str, ask: str, tick: str) -> MarketSnapshot:
    b, a = D(bid), D(ask)
    return MarketSnapshot(
        condition_id=COND if token == "1" else COND2, token_id=token, ts_ms=T0 + dt, tick_size=D(tick),
        best_bid=b, best_ask=a, mid=((b + a) / 2).quantize(D("0.000001"), ROUND_FLOOR),
        spread_ticks=int((a - b) / D(tick)),
        freshness=Freshness(source_ts_ms=T0 + dt, receive_ts_ms=T0 + dt, age_ms=0, budget_ms=5_000,
                            quality="OK", provenance_hash="ab" * 32),
    )  # fmt: skip


TAPE = BookTape(to_frame("MarketSnapshot", [_snapshot(*row) for row in ROWS]))


def _clob(rules: dict[str, MarketRules] | None = None, **kwargs) -> MockClob:
    kwargs.setdefault("owner_id", OWNER)
    return MockClob(TAPE, rules or RULES, 100_000_000, {"1": 50_000_000}, **kwargs)


def _order(n: int, side: str, maker: int, taker: int, order_type: str = "GTC", *, post_only: bool = False,
           token: str = "1", expiration_s: int = 0, salt: str = "1") -> SignedOrderRequest:
    return SignedOrderRequest(
        plan_id=f"plan-{n}", order_hash=_hash(n), salt=salt, maker=MAKER, signer=MAKER, token_id=token,
        maker_amount=maker, taker_amount=taker, side=Side(side), signature_type=0, timestamp_ms=T0,
        metadata="0x" + "0" * 64, builder="0x" + "0" * 64, signature="0x" + "ab" * 65,
        exchange=EXCHANGE if token == "1" else NEG_EXCHANGE, chain_id=137, order_type=OrderType(order_type),
        expiration_s=expiration_s, post_only=post_only,
    )  # fmt: skip


def _hash(n: int) -> str:
    return f"0x{n:064x}"


def _refused(text: str) -> dict:
    return {"success": False, "errorMsg": text, "orderID": "", "status": "", "makingAmount": "",
            "takingAmount": "", "transactionsHashes": [], "tradeIDs": []}  # fmt: skip


def _accepted(n: int, status: str, making: str = "", taking: str = "", trades: tuple[str, ...] = ()) -> dict:
    return {"success": True, "errorMsg": "", "orderID": _hash(n), "status": status, "makingAmount": making,
            "takingAmount": taking, "transactionsHashes": [], "tradeIDs": list(trades)}  # fmt: skip


def _parsed(messages: list[str]) -> list:
    out = []
    for message in messages:
        out += normalise_user_frame(message, T0, OWNER)
    return out


def _event(n: int, dt: int, kind: str, status: str, price: str, size: str, matched: str, side: str = "BUY",
           order_type: str = "GTC", detail: str | None = None, token: str = "1") -> OrderEvent:
    return OrderEvent(
        order_id=_hash(n), condition_id=COND if token == "1" else COND2, token_id=token, ts_ms=T0 + dt,
        event_type=kind, status=status, status_detail=detail, side=Side(side), price=D(price),
        original_size=D(size), size_matched=D(matched), order_type=OrderType(order_type),
    )  # fmt: skip


# --- refusals: each check, the venue's exact words, and the code they map to -----------------------------

H1 = _hash(1)


@pytest.mark.parametrize(("request_", "text", "code"), [
    # a token of no configured market; post-only on a market order; a zero amount
    (_order(1, "BUY", 5_000_000, 10_000_000, token="9"), "Invalid order payload", "EXEC_VENUE_REJECTED"),
    (_order(1, "BUY", 5_200_000, 10_000_000, "FOK", post_only=True), "Invalid order payload", "EXEC_VENUE_REJECTED"),
    (_order(1, "BUY", 0, 10_000_000), "Invalid order payload", "EXEC_VENUE_REJECTED"),
    # GTC BUY at tick 0.01: maker <= 4 decimals (4.12345 has 5), taker <= 2
    (_order(1, "BUY", 4_123_450, 10_000_000),
     "invalid amounts, the buy orders maker amount supports a max accuracy of 4 decimals, taker amount a max of 2 "
     "decimals", "EXEC_VENUE_AMOUNT_PRECISION"),
    # GTC BUY at tick 0.001: maker <= 5 decimals (4.123456 has 6)
    (_order(1, "BUY", 4_123_456, 5_000_000, token="2"),
     "invalid amounts, the buy orders maker amount supports a max accuracy of 5 decimals, taker amount a max of 2 "
     "decimals", "EXEC_VENUE_AMOUNT_PRECISION"),
    # GTC SELL: maker (shares) <= 2 decimals (10.005 has 3)
    (_order(1, "SELL", 10_005_000, 5_000_000),
     "invalid amounts, the sell orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 "
     "decimals", "EXEC_VENUE_AMOUNT_PRECISION"),
    # FOK BUY: maker (USDC) <= 2 decimals (5.005 has 3)
    (_order(1, "BUY", 5_005_000, 10_000_000, "FOK"),
     "invalid amounts, the market buy orders maker amount supports a max accuracy of 2 decimals, taker amount a max "
     "of 4 decimals", "EXEC_VENUE_AMOUNT_PRECISION"),
    # FAK SELL: taker (USDC) <= 4 decimals (5.00005 has 5)
    (_order(1, "SELL", 10_000_000, 5_000_050, "FAK"),
     "invalid amounts, the sell orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 "
     "decimals", "EXEC_VENUE_AMOUNT_PRECISION"),
    # 5.05 / 10 = 0.505: between two 0.01 ticks
    (_order(1, "BUY", 5_050_000, 10_000_000),
     f"order {H1} is invalid. Price (0.505) breaks minimum tick size rule: 0.01", "EXEC_VENUE_TICK"),
    # 10 / 10.2 = 0.98039215686274509..., shown to 16 significant digits
    (_order(1, "BUY", 10_000_000, 10_200_000),
     f"order {H1} is invalid. Price (0.9803921568627451) breaks minimum tick size rule: 0.01", "EXEC_VENUE_TICK"),
    # SELL 10 for 10 USDC: price 1 is on the grid but above 1 - tick = 0.99
    (_order(1, "SELL", 10_000_000, 10_000_000),
     f"order {H1} is invalid. Price (1) breaks minimum tick size rule: 0.01", "EXEC_VENUE_TICK"),
    # FOK BUY 1.00 USDC for 200 shares: worst price 0.005 floors to 0, below the band
    (_order(1, "BUY", 1_000_000, 200_000_000, "FOK"),
     f"order {H1} is invalid. Price (0.005) breaks minimum tick size rule: 0.01", "EXEC_VENUE_TICK"),
    # 4 shares < 5
    (_order(1, "BUY", 2_000_000, 4_000_000),
     f"order {H1} is invalid. Size (4) lower than the minimum: 5", "EXEC_VENUE_MIN_SIZE"),
    (_order(1, "SELL", 4_000_000, 2_000_000, "FAK"),
     f"order {H1} is invalid. Size (4) lower than the minimum: 5", "EXEC_VENUE_MIN_SIZE"),
    # a market BUY spends at least 1 USDC: 0.50 USDC for 1 share (and not the 5-share minimum)
    (_order(1, "BUY", 500_000, 1_000_000, "FOK"),
     "invalid amount for a marketable BUY order ($0.50), min size: 1", "EXEC_VENUE_MIN_SIZE"),
    # GTD expiration 1_700_000_060 s - 60 s buffer = T0: already due at T0
    (_order(1, "BUY", 4_000_000, 10_000_000, "GTD", expiration_s=1_700_000_060),
     "invalid expiration", "EXEC_VENUE_REJECTED"),
    # 300 shares at 0.40 = 120 USDC > 100
    (_order(1, "BUY", 120_000_000, 300_000_000),
     "not enough balance / allowance: the balance is not enough -> balance: 100000000, order amount: 120000000",
     "EXEC_VENUE_BALANCE_ALLOWANCE"),
    # SELL 60 shares, 50 held
    (_order(1, "SELL", 60_000_000, 30_000_000),
     "not enough balance / allowance: the balance is not enough -> balance: 50000000, order amount: 60000000",
     "EXEC_VENUE_BALANCE_ALLOWANCE"),
    # post-only at the touch: BUY 0.52 = best ask 0.52; SELL 0.48 = best bid 0.48
    (_order(1, "BUY", 5_200_000, 10_000_000, post_only=True),
     "invalid post-only order: order crosses book", "EXEC_VENUE_POST_ONLY_CROSS"),
    (_order(1, "SELL", 10_000_000, 4_800_000, post_only=True),
     "invalid post-only order: order crosses book", "EXEC_VENUE_POST_ONLY_CROSS"),
    # worst price 0.50 < best ask 0.52: nothing to take
    (_order(1, "BUY", 5_000_000, 10_000_000, "FAK"), FAK_TEXT, "EXEC_VENUE_FOK_UNFILLED"),
    (_order(1, "BUY", 5_000_000, 10_000_000, "FOK"), FOK_TEXT, "EXEC_VENUE_FOK_UNFILLED"),
])
def test_each_refusal_answers_the_venue_text(request_, text, code):
    clob = _clob()
    response = clob.post_order(request_, T0)
    assert response == _refused(text)
    assert reason_code(response["errorMsg"]) == code
    assert clob.collateral_micro == 100_000_000 and clob.shares_micro("1") == 50_000_000  # nothing moved


def test_a_failed_signature_check_is_invalid_signature():
    clob = _clob(verify=lambda request: request.salt != "666")  # the check sees the request
    assert clob.post_order(_order(1, "BUY", 4_000_000, 10_000_000, salt="666"), T0) == _refused("invalid signature")
    assert clob.post_order(_order(2, "BUY", 4_000_000, 10_000_000), T0)["status"] == "live"


@pytest.mark.parametrize("change", [{"exchange": NEG_EXCHANGE}, {"chain_id": 80002}])
def test_an_order_signed_for_another_exchange_or_chain_is_invalid_signature(change):
    request = _order(1, "BUY", 4_000_000, 10_000_000).model_copy(update=change)
    assert _clob().post_order(request, T0) == _refused("invalid signature")


def test_a_second_post_of_one_order_is_duplicated():
    clob = _clob()
    request = _order(1, "BUY", 4_000_000, 10_000_000)  # 10 @ 0.40
    assert clob.post_order(request, T0) == _accepted(1, "live")
    assert clob.post_order(request, T0 + 1) == _refused(f"order {H1} is invalid. Duplicated.")


def test_open_orders_hold_their_collateral():
    clob = MockClob(TAPE, RULES, 10_000_000, owner_id=OWNER)  # 10 USDC
    first, second = _order(1, "BUY", 5_000_000, 10_000_000), _order(2, "BUY", 6_000_000, 12_000_000)
    assert clob.post_order(first, T0)["status"] == "live"  # 10 @ 0.50 rests, holds 5 USDC
    # 12 @ 0.50 = 6 USDC > 10 - 5 available
    assert clob.post_order(second, T0) == _refused(
        "not enough balance / allowance: the balance is not enough -> balance: 5000000, order amount: 6000000")
    assert clob.cancel(_hash(1), T0 + 50) == {"canceled": [_hash(1)], "not_canceled": {}}
    assert clob.post_order(second, T0 + 50) == _accepted(2, "live")  # the hold went with the cancel


# --- resting, then filled: the user-channel messages ---------------------------------------------------


def test_a_resting_order_fills_later_matched_mined_confirmed():
    clob = _clob()
    # post-only BUY 10 @ 0.50 at T0 (ask 0.52): rests; the ask reaches 0.50 at dt 200
    assert clob.post_order(_order(1, "BUY", 5_000_000, 10_000_000, post_only=True), T0) == _accepted(1, "live")
    assert _parsed(clob.advance(T0 + 199)) == [_event(1, 0, "PLACEMENT", "LIVE", "0.5", "10", "0")]
    matched = _parsed(clob.advance(T0 + 200))
    trade_id = matched[1].fill_id.split(":")[0]

    def fill(dt: int, status: str) -> Fill:
        return Fill(fill_id=f"{trade_id}:{_hash(1)}", order_id=_hash(1), condition_id=COND, token_id="1",
                    ts_ms=T0 + dt, side=Side.BUY, price=D("0.5"), size=D("10"), liquidity="MAKER",
                    fee_usdc=D(0), trade_status=status)  # fmt: skip

    assert matched == [_event(1, 200, "UPDATE", "MATCHED", "0.5", "10", "10"), fill(200, "MATCHED")]
    assert clob.advance(T0 + 2_199) == []
    assert _parsed(clob.advance(T0 + 2_200)) == [fill(2_200, "MINED")]  # + mined_delay_ms 2 000
    assert _parsed(clob.advance(T0 + 10_200)) == [fill(10_200, "CONFIRMED")]  # + confirmed_delay_ms 10 000
    # paid 10 x 0.50 = 5 USDC: 100 - 5 = 95; got 10 shares: 50 + 10 = 60
    assert (clob.collateral_micro, clob.shares_micro("1")) == (95_000_000, 60_000_000)
    # filled: not cancellable
    assert clob.cancel(_hash(1), T0 + 10_300)["not_canceled"] == {_hash(1): "already canceled or matched"}


def test_a_resting_sell_fills_when_the_bid_reaches_it():
    clob = _clob()
    # SELL 10 @ 0.51 (5.1 USDC) at T0 (bid 0.48): the bid reaches 0.51 at dt 300
    assert clob.post_order(_order(1, "SELL", 10_000_000, 5_100_000), T0)["status"] == "live"
    assert clob.advance(T0 + 299)[1:] == []  # only the PLACEMENT
    messages = _parsed(clob.advance(T0 + 300))
    assert messages[0] == _event(1, 300, "UPDATE", "MATCHED", "0.51", "10", "10", side="SELL")
    assert (messages[1].side, messages[1].price, messages[1].size, messages[1].liquidity) == (
        Side.SELL, D("0.51"), D("10"), "MAKER")
    # sold 10 of 50 shares for 5.1 USDC: 40 shares, 105.1 USDC
    assert (clob.collateral_micro, clob.shares_micro("1")) == (105_100_000, 40_000_000)


def test_messages_have_the_recorded_shapes(ref):
    clob = _clob()
    clob.post_order(_order(1, "BUY", 5_000_000, 10_000_000), T0)
    placement, update, trade = (json.loads(m) for m in clob.advance(T0 + 200))
    recorded_order = json.loads(ref("ws:order_placement.json"))
    recorded_trade = json.loads(ref("own:ws_user_trade_maker.json"))
    assert placement.keys() == update.keys() == recorded_order.keys()
    assert trade.keys() == recorded_trade.keys()
    assert trade["maker_orders"][0].keys() == recorded_trade["maker_orders"][0].keys()
    # ms timestamps, second-resolution created_at / match_time, decimal strings
    assert (placement["timestamp"], placement["created_at"], placement["price"]) == (str(T0), "1700000000", "0.5")
    assert (trade["timestamp"], trade["match_time"], trade["size"]) == (str(T0 + 200), "1700000000", "10")


# --- taking: marketable limit orders, FAK, FOK --------------------------------------------------------


def test_a_marketable_limit_order_takes_the_touch_and_pays_the_taker_fee():
    rules = {"1": MarketRules(COND, D("0.01"), D("5"), neg_risk=False, taker_fee_rate_bps=1_000)}
    clob = _clob(rules)
    # BUY 10 @ 0.55 (not post-only) at dt 100 (ask 0.51): takes 10 at 0.51 = 5.1 USDC
    response = clob.post_order(_order(1, "BUY", 5_500_000, 10_000_000), T0 + 100)
    messages = _parsed(clob.advance(T0 + 100))
    trade_id = messages[1].fill_id
    assert response == _accepted(1, "matched", "5.1", "10", (trade_id,))
    # fee = 10 x 0.1 x 0.51 x 0.49 = 0.2499 USDC (docs.polymarket.com/trading/fees)
    assert messages == [
        _event(1, 100, "UPDATE", "MATCHED", "0.55", "10", "10"),
        Fill(fill_id=trade_id, order_id=_hash(1), condition_id=COND, token_id="1", ts_ms=T0 + 100, side=Side.BUY,
             price=D("0.51"), size=D("10"), liquidity="TAKER", fee_usdc=D("0.2499"), trade_status="MATCHED"),
    ]  # fmt: skip
    # 100 - 5.1 - 0.2499 = 94.6501 USDC; 50 + 10 shares
    assert (clob.collateral_micro, clob.shares_micro("1")) == (94_650_100, 60_000_000)


def test_a_marketable_sell_gets_the_bid():
    clob = _clob()
    # SELL 10 @ 0.45 (4.5 USDC) at dt 100 (bid 0.49): gets 10 x 0.49 = 4.9 USDC
    response = clob.post_order(_order(1, "SELL", 10_000_000, 4_500_000), T0 + 100)
    assert (response["status"], response["makingAmount"], response["takingAmount"]) == ("matched", "10", "4.9")
    assert (clob.collateral_micro, clob.shares_micro("1")) == (104_900_000, 40_000_000)


def test_fak_takes_what_the_touch_offers_and_kills_the_rest():
    clob = _clob(touch_size=lambda token, side, ts: D("4"))  # 4 shares at the touch
    # FAK BUY 10 shares for 5.20 USDC (worst 0.52) at T0 (ask 0.52): takes 4 at 0.52 = 2.08 USDC
    response = clob.post_order(_order(1, "BUY", 5_200_000, 10_000_000, "FAK"), T0)
    messages = _parsed(clob.advance(T0))
    assert response == _accepted(1, "matched", "2.08", "4", (messages[1].fill_id,))
    assert messages[0] == _event(1, 0, "UPDATE", "LIVE", "0.52", "10", "4", order_type="FAK")
    assert (messages[1].size, messages[1].price, messages[1].liquidity) == (D("4"), D("0.52"), "TAKER")
    assert messages[2] == _event(1, 0, "CANCELLATION", "CANCELED", "0.52", "10", "4", order_type="FAK")
    assert (clob.collateral_micro, clob.shares_micro("1")) == (97_920_000, 54_000_000)  # 100 - 2.08; 50 + 4


def test_a_marketable_limit_order_beyond_the_touch_size_cancels_its_remainder():
    clob = _clob(touch_size=lambda token, side, ts: D("6"))
    # GTC BUY 10 @ 0.52 at T0: takes 6 at 0.52; the tape has no deeper level to rest the other 4 on
    response = clob.post_order(_order(1, "BUY", 5_200_000, 10_000_000), T0)
    assert (response["status"], response["makingAmount"], response["takingAmount"]) == ("matched", "3.12", "6")
    assert _parsed(clob.advance(T0))[-1] == _event(1, 0, "CANCELLATION", "CANCELED", "0.52", "10", "6")


def test_a_marketable_limit_order_at_an_empty_touch_crosses_the_book():
    clob = _clob(touch_size=lambda token, side, ts: D("0"))
    # GTC BUY 10 @ 0.52 at T0: the touch is 0.52 but offers nothing; the order may not rest crossing it
    assert clob.post_order(_order(1, "BUY", 5_200_000, 10_000_000), T0) == _refused(
        f"order {H1} crosses the book")
    assert _parsed(clob.advance(T0)) == [_event(1, 0, "CANCELLATION", "INVALID", "0.52", "10", "0")]
    assert clob.cancel(H1, T0 + 1)["canceled"] == []  # nothing rests


def test_fok_is_killed_when_the_touch_cannot_fill_it():
    clob = _clob(touch_size=lambda token, side, ts: D("4"))
    # FOK BUY 10 at worst 0.52: 4 < 10 at the touch
    assert clob.post_order(_order(1, "BUY", 5_200_000, 10_000_000, "FOK"), T0) == _refused(FOK_TEXT)
    # the recorded kill message: CANCELED_<text>, size_matched ""
    raw = clob.advance(T0)
    assert json.loads(raw[0])["size_matched"] == ""
    assert _parsed(raw) == [
        _event(1, 0, "CANCELLATION", "CANCELED", "0.52", "10", "0", order_type="FOK", detail=FOK_TEXT)]
    assert clob.collateral_micro == 100_000_000


def test_fok_fills_in_full_when_sizes_are_unknown():
    clob = _clob()  # no touch sizes: the whole order fills at the touch
    response = clob.post_order(_order(1, "BUY", 5_200_000, 10_000_000, "FOK"), T0)
    assert (response["status"], response["makingAmount"], response["takingAmount"]) == ("matched", "5.2", "10")


def test_a_taker_buy_cost_rounds_up_to_the_micro_unit():
    clob = _clob()
    # token 2 (tick 0.001), FOK BUY 1.2345 shares for 1.20 USDC: worst 0.97205 floors to 0.972 >= ask 0.961
    response = clob.post_order(_order(1, "BUY", 1_200_000, 1_234_500, "FOK", token="2"), T0)
    # 1.2345 x 0.961 = 1.1863545 USDC -> 1.186355 (a BUY pays up)
    assert (response["makingAmount"], response["takingAmount"]) == ("1.186355", "1.2345")
    assert (clob.collateral_micro, clob.shares_micro("2")) == (98_813_645, 1_234_500)
    update = _parsed(clob.advance(T0))[0]
    assert (update.price, update.token_id, update.condition_id) == (D("0.972"), "2", COND2)


# --- batches, cancels, not ready, delayed markets, GTD expiry ----------------------------------------


def test_a_batch_of_16_is_refused_and_15_accepted():
    clob = _clob()
    sixteen = [_order(n, "BUY", 2_000_000, 5_000_000, post_only=True) for n in range(1, 17)]  # 5 @ 0.40 each
    assert clob.post_orders(sixteen, T0) == [_refused("Too many orders in payload: 16, max allowed: 15")] * 16
    assert clob.advance(T0) == []  # nothing was placed
    assert clob.post_orders(sixteen[:15], T0) == [_accepted(n, "live") for n in range(1, 16)]
    assert [event.order_id for event in _parsed(clob.advance(T0))] == [_hash(n) for n in range(1, 16)]
    # 15 x 2 USDC held: 100 - 30 = 70 available; a 71 USDC BUY is refused
    assert clob.post_order(_order(99, "BUY", 71_000_000, 710_000_000), T0)["errorMsg"].endswith(
        "balance: 70000000, order amount: 71000000")


def test_cancel_a_resting_order_and_an_unknown_one():
    clob = _clob()
    clob.post_order(_order(1, "BUY", 4_000_000, 10_000_000), T0)
    assert clob.cancel(_hash(1), T0 + 50) == {"canceled": [_hash(1)], "not_canceled": {}}
    assert _parsed(clob.advance(T0 + 50)) == [
        _event(1, 0, "PLACEMENT", "LIVE", "0.4", "10", "0"),
        _event(1, 50, "CANCELLATION", "CANCELED", "0.4", "10", "0"),
    ]
    reason = {"canceled": [], "not_canceled": {_hash(1): "already canceled or matched"}}
    assert clob.cancel(_hash(1), T0 + 60) == reason
    assert clob.cancel(_hash(7), T0 + 60) == {"canceled": [], "not_canceled": {_hash(7): "already canceled or matched"}}
    assert clob.advance(T0 + 1_000) == []


def test_not_ready_window_answers_service_not_ready():
    clob = _clob(not_ready_until_ms=T0 + 1_000)
    request = _order(1, "BUY", 4_000_000, 10_000_000)
    response = clob.post_order(request, T0 + 999)
    assert response == _refused("service not ready")
    assert reason_code(response["errorMsg"]) == "EXEC_VENUE_NOT_READY"
    assert clob.post_orders([request], T0) == [_refused("service not ready")]
    assert clob.cancel(_hash(1), T0) == {"canceled": [], "not_canceled": {_hash(1): "service not ready"}}
    assert clob.post_order(request, T0 + 1_000) == _accepted(1, "live")  # the window is [.., T0 + 1000)
    clob.not_ready_until_ms = T0 + 5_000  # a restart later on
    assert clob.cancel(_hash(1), T0 + 2_000) == {"canceled": [], "not_canceled": {_hash(1): "service not ready"}}


def test_a_delayed_market_answers_delayed_then_matches_on_the_later_book():
    rules = {"1": MarketRules(COND, D("0.01"), D("5"), neg_risk=False, match_delay_ms=250)}
    clob = _clob(rules)
    # BUY 10 @ 0.52 at T0 (ask 0.52): marketable, so delayed 250 ms
    assert clob.post_order(_order(1, "BUY", 5_200_000, 10_000_000), T0) == _accepted(1, "delayed")
    # meanwhile its 5.2 USDC are held: 100 - 5.2 = 94.8 available
    assert clob.post_order(_order(2, "BUY", 95_000_000, 190_000_000), T0 + 100)["errorMsg"].endswith(
        "balance: 94800000, order amount: 95000000")
    assert clob.advance(T0 + 249) == []
    # at dt 250 the book is dt 200's: ask 0.50, taken at 0.50 = 5 USDC
    messages = _parsed(clob.advance(T0 + 250))
    assert messages[0] == _event(1, 250, "UPDATE", "MATCHED", "0.52", "10", "10")
    assert (messages[1].ts_ms, messages[1].price, messages[1].liquidity) == (T0 + 250, D("0.5"), "TAKER")
    assert clob.collateral_micro == 95_000_000


def test_a_delayed_order_that_is_no_longer_marketable_rests():
    rules = {"1": MarketRules(COND, D("0.01"), D("5"), neg_risk=False, match_delay_ms=250)}
    clob = _clob(rules)
    # BUY 10 @ 0.51 at dt 100 (ask 0.51): delayed to dt 350, when the ask is 0.53: it rests then
    assert clob.post_order(_order(1, "BUY", 5_100_000, 10_000_000), T0 + 100)["status"] == "delayed"
    assert _parsed(clob.advance(T0 + 350)) == [_event(1, 350, "PLACEMENT", "LIVE", "0.51", "10", "0")]
    assert clob.cancel(_hash(1), T0 + 400) == {"canceled": [_hash(1)], "not_canceled": {}}


def test_a_gtd_order_is_dropped_a_minute_before_its_expiration():
    clob = _clob()
    # GTD BUY 10 @ 0.45 (never reached), expiration 1_700_000_061 s: dropped at T0 + 1000 ms
    request = _order(1, "BUY", 4_500_000, 10_000_000, "GTD", expiration_s=1_700_000_061)
    assert clob.post_order(request, T0) == _accepted(1, "live")
    assert [e.event_type for e in _parsed(clob.advance(T0 + 999))] == ["PLACEMENT"]
    assert _parsed(clob.advance(T0 + 1_000)) == [
        _event(1, 1_000, "CANCELLATION", "CANCELED", "0.45", "10", "0", order_type="GTD")]
    assert clob.cancel(_hash(1), T0 + 1_001)["canceled"] == []


# --- determinism, configuration -------------------------------------------------------------------------


def test_the_same_calls_give_the_same_answers_and_messages():
    def run() -> tuple[list, list[str]]:
        clob = _clob(touch_size=lambda token, side, ts: D("4"))
        responses = [
            clob.post_order(_order(1, "BUY", 5_000_000, 10_000_000, post_only=True), T0),
            clob.post_order(_order(2, "BUY", 5_200_000, 10_000_000, "FAK"), T0),
            clob.post_order(_order(3, "SELL", 10_000_000, 5_300_000), T0 + 100),
            clob.cancel(_hash(3), T0 + 150),
        ]
        return responses, clob.advance(T0 + 20_000)

    first, second = run(), run()
    assert first == second
    # order 1: PLACEMENT, then filled at dt 200 (UPDATE + MATCHED/MINED/CONFIRMED) = 5; FAK: UPDATE, 3 trades,
    # CANCELLATION = 5; order 3: PLACEMENT, CANCELLATION = 2
    assert len(second[1]) == 12


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"rules": {"1": MarketRules(COND, D("0.02"), D("5"), neg_risk=False)}}, "is not a venue grid"),
    ({"mined_delay_ms": 5_000, "confirmed_delay_ms": 1_000}, "mined_delay_ms"),
    ({"mined_delay_ms": -1}, "mined_delay_ms"),
])
def test_configuration_is_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _clob(**kwargs)


def test_an_unknown_chain_is_refused_at_construction():
    with pytest.raises(ValueError, match="chain id 1 "):
        _clob(chain_id=1)
