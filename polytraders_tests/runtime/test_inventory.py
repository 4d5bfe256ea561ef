"""runtime.inventory.Ledger: average cost, realised PnL, settlement, equity, reported positions."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from polytraders.runtime.inventory import Ledger


def _ledger(mk, *fills: tuple) -> Ledger:
    ledger = Ledger()
    for n, (token, side, price, size, *fee) in enumerate(fills):
        ledger.apply_fill(mk.fill(f"f{n}", n, token, side, price, size, *fee))
    return ledger


def test_apply_fill_when_two_buys_then_cost_and_average_exact(mk) -> None:
    # cost = 10·0.40 + 5·0.50 = 4.00 + 2.50 = 6.50; avg = 6.50 / 15 = 0.4333… → reported 0.433333.
    ledger = _ledger(mk, ("11", "BUY", "0.40", "10"), ("11", "BUY", "0.50", "5"))
    assert ledger.exposure_usdc() == D("6.50")
    pos = ledger.position("11", mk.T0, None)
    assert (pos.size, pos.avg_price, pos.realised_pnl_usdc, pos.settled) == (D(15), D("0.433333"), D(0), False)
    assert pos.mark_price is None and pos.unrealised_pnl_usdc == D(0)


def test_position_when_average_repeats_then_avg_price_half_even_to_micro(mk) -> None:
    # cost = 1·0.60 + 2·0.70 = 2.00; avg = 2.00 / 3 = 0.6666… → 0.666667 (rounds up at 1e-6).
    ledger = _ledger(mk, ("11", "BUY", "0.60", "1"), ("11", "BUY", "0.70", "2"))
    assert ledger.position("11", mk.T0, None).avg_price == D("0.666667")
    assert ledger.exposure_usdc() == D("2.00")  # the cost itself stays exact


def test_apply_fill_when_buy_with_fee_then_fee_in_cost(mk) -> None:
    # cost = 10·0.40 + 0.02 = 4.02; avg = 0.402.
    ledger = _ledger(mk, ("11", "BUY", "0.40", "10", "0.02"))
    assert ledger.exposure_usdc() == D("4.02")
    assert ledger.position("11", mk.T0, None).avg_price == D("0.402")


def test_apply_fill_when_sell_then_realises_price_minus_average_times_size(mk) -> None:
    # Buys: 10·0.40 + 10·0.50 = 9.00 for 20 → avg 0.45. SELL 5 @ 0.60: realised (0.60 − 0.45)·5 = 0.75;
    # cost left 9.00 − 0.45·5 = 6.75 for 15 shares (avg still 0.45).
    ledger = _ledger(mk, ("11", "BUY", "0.40", "10"), ("11", "BUY", "0.50", "10"), ("11", "SELL", "0.60", "5"))
    pos = ledger.position("11", mk.T0, None)
    assert (pos.size, pos.avg_price, pos.realised_pnl_usdc) == (D(15), D("0.45"), D("0.75"))
    assert ledger.exposure_usdc() == D("6.75")


def test_apply_fill_when_sell_at_loss_with_fee_then_negative_realised(mk) -> None:
    # avg 0.50; SELL 4 @ 0.30 fee 0.01: (0.30 − 0.50)·4 − 0.01 = −0.80 − 0.01 = −0.81.
    ledger = _ledger(mk, ("11", "BUY", "0.50", "10"), ("11", "SELL", "0.30", "4", "0.01"))
    assert ledger.position("11", mk.T0, None).realised_pnl_usdc == D("-0.81")


def test_apply_fill_when_sell_whole_position_then_flat(mk) -> None:
    # avg 0.45 (as above); SELL 20 @ 0.55: realised (0.55 − 0.45)·20 = 2.00; size 0, cost 0.
    ledger = _ledger(mk, ("11", "BUY", "0.40", "10"), ("11", "BUY", "0.50", "10"), ("11", "SELL", "0.55", "20"))
    pos = ledger.position("11", mk.T0, D("0.9"))
    assert (pos.size, pos.avg_price, pos.realised_pnl_usdc, pos.unrealised_pnl_usdc) == (D(0), D(0), D("2.00"), D(0))
    assert ledger.open_token_ids() == []
    assert ledger.exposure_usdc() == D(0)


def test_apply_fill_when_sell_beyond_position_then_value_error(mk) -> None:
    ledger = _ledger(mk, ("11", "BUY", "0.40", "10"))
    with pytest.raises(ValueError, match=r"^sell of 11 exceeds position 10 in token 11$"):
        ledger.apply_fill(mk.fill("s", 5, "11", "SELL", "0.50", "11"))
    assert ledger.position("11", mk.T0, None).size == D(10)  # unchanged


def test_apply_fill_when_sell_without_position_then_value_error(mk) -> None:
    with pytest.raises(ValueError, match=r"^sell of 1 exceeds position 0 in token 21$"):
        Ledger().apply_fill(mk.fill("s", 0, "21", "SELL", "0.50", "1"))


def test_settle_when_market_resolves_then_winner_pays_one_loser_zero(mk) -> None:
    # YES "11": 10 @ 0.40 (cost 4.00) → 1·10 − 4.00 = 6.00. NO "12": 5 @ 0.30 (cost 1.50) → 0·5 − 1.50 = −1.50.
    ledger = _ledger(mk, ("11", "BUY", "0.40", "10"), ("12", "BUY", "0.30", "5"), ("21", "BUY", "0.20", "5"))
    settled = ledger.settle(mk.resolution(mk.COND_A, 500, winner="11"))
    assert settled == ["11", "12"]
    yes, no = ledger.position("11", mk.T0, D(1)), ledger.position("12", mk.T0, D(0))
    assert (yes.size, yes.avg_price, yes.realised_pnl_usdc, yes.unrealised_pnl_usdc, yes.settled) == (
        D(0), D(0), D("6.00"), D(0), True,
    )  # fmt: skip
    assert (no.size, no.realised_pnl_usdc, no.settled) == (D(0), D("-1.50"), True)
    assert ledger.open_token_ids() == ["21"]  # market B untouched
    assert ledger.exposure_usdc() == D("1.00")  # only 5 · 0.20 of "21" left


def test_settle_when_called_twice_then_second_settles_nothing(mk) -> None:
    ledger = _ledger(mk, ("11", "BUY", "0.40", "10"))
    resolution = mk.resolution(mk.COND_A, 500, winner="11")
    assert ledger.settle(resolution) == ["11"]
    assert ledger.settle(resolution) == []
    assert ledger.position("11", mk.T0, None).realised_pnl_usdc == D("6.00")  # 10 − 4.00, once


def test_settle_when_no_token_held_then_empty(mk) -> None:
    assert _ledger(mk, ("21", "BUY", "0.40", "10")).settle(mk.resolution(mk.COND_A, 500, winner="12")) == []


def test_settle_when_partly_sold_then_realises_remaining_cost(mk) -> None:
    # Buy 10 @ 0.40 (4.00), sell 4 @ 0.50: realised 0.40, cost 2.40 for 6.
    # NO wins: 0·6 − 2.40 → total 0.40 − 2.40 = −2.00.
    ledger = _ledger(mk, ("11", "BUY", "0.40", "10"), ("11", "SELL", "0.50", "4"))
    ledger.settle(mk.resolution(mk.COND_A, 500, winner="12"))
    assert ledger.position("11", mk.T0, D(0)).realised_pnl_usdc == D("-2.00")


def test_equity_usdc_when_marked_to_mid_then_realised_plus_unrealised(mk) -> None:
    # "11": 10 @ 0.40, mid 0.45 → 4.50 − 4.00 = 0.50. "12": bought 10 @ 0.50, sold 5 @ 0.60 → realised 0.50;
    # 5 left at cost 2.50, mid 0.40 → 2.00 − 2.50 = −0.50. "21": 5 @ 0.20, no mid → at cost (0).
    # equity = 0.50 + 0.50 − 0.50 + 0 = 0.50.
    ledger = _ledger(
        mk, ("11", "BUY", "0.40", "10"), ("12", "BUY", "0.50", "10"), ("12", "SELL", "0.60", "5"),
        ("21", "BUY", "0.20", "5"),
    )  # fmt: skip
    assert ledger.equity_usdc({"11": D("0.45"), "12": D("0.40"), "21": None}) == D("0.50")
    assert ledger.equity_usdc({}) == D("0.50")  # no marks: realised only


def test_equity_usdc_when_empty_ledger_then_zero() -> None:
    assert Ledger().equity_usdc({}) == D(0)


def test_exposure_usdc_when_per_condition_then_cost_basis_of_that_market(mk) -> None:
    # A: 10·0.40 + 5·0.30 = 5.50; B: 5·0.20 = 1.00; total 6.50.
    ledger = _ledger(mk, ("11", "BUY", "0.40", "10"), ("12", "BUY", "0.30", "5"), ("21", "BUY", "0.20", "5"))
    assert (ledger.exposure_usdc(mk.COND_A), ledger.exposure_usdc(mk.COND_B), ledger.exposure_usdc()) == (
        D("5.50"), D("1.00"), D("6.50"),
    )  # fmt: skip


def test_position_when_marked_then_unrealised_exact(mk) -> None:
    # 15 shares at cost 6.50; mark 0.47 → 7.05 − 6.50 = 0.55 (exact even though avg repeats).
    ledger = _ledger(mk, ("11", "BUY", "0.40", "10"), ("11", "BUY", "0.50", "5"))
    pos = ledger.position("11", mk.T0 + 7, D("0.47"))
    assert (pos.ts_ms, pos.mark_price, pos.unrealised_pnl_usdc, pos.condition_id) == (
        mk.T0 + 7, D("0.47"), D("0.55"), mk.COND_A,
    )  # fmt: skip


def test_position_when_token_never_traded_then_key_error() -> None:
    with pytest.raises(KeyError):
        Ledger().position("11", 1_700_000_000_000, None)
