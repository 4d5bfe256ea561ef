"""exec.post_only_reprice: one tick behind price and touch, band, attempt limit."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.base import Rejection
from polytraders.bots.exec import post_only_reprice as reprice
from polytraders.contracts.types import Side


def _backoff(price: str, side: str, bid: str | None, ask: str | None, attempt: int = 1, tick: str = "0.01", **cfg):
    return reprice.backoff(
        D(price), Side(side), D(tick), None if bid is None else D(bid), None if ask is None else D(ask), attempt,
        reprice.Config(**cfg),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("price", "side", "bid", "ask", "expected", "tick"),
    [
        ("0.52", "BUY", "0.50", "0.52", "0.51", "0.01"),  # min(0.52 − 0.01, 0.52 − 0.01) = 0.51
        ("0.52", "BUY", "0.45", "0.48", "0.47", "0.01"),  # ask fell to 0.48: min(0.51, 0.47) = 0.47
        ("0.50", "BUY", "0.45", "0.55", "0.49", "0.01"),  # ask above: min(0.49, 0.54) = 0.49
        ("0.50", "BUY", "0.45", None, "0.49", "0.01"),  # no ask: price − tick
        ("0.48", "SELL", "0.48", "0.50", "0.49", "0.01"),  # max(0.48 + 0.01, 0.48 + 0.01) = 0.49
        ("0.48", "SELL", "0.53", "0.56", "0.54", "0.01"),  # bid rose to 0.53: max(0.49, 0.54) = 0.54
        ("0.50", "SELL", "0.45", "0.55", "0.51", "0.01"),  # bid below: max(0.51, 0.46) = 0.51
        ("0.50", "SELL", None, "0.55", "0.51", "0.01"),  # no bid: price + tick
        ("0.5025", "BUY", "0.49", "0.5025", "0.5", "0.0025"),  # 0.5025 − 0.0025 on a 0.0025 grid
    ],
)
def test_backoff_when_would_cross_then_one_tick_behind_price_and_touch(
    price: str, side: str, bid, ask, expected: str, tick: str
) -> None:
    out = _backoff(price, side, bid, ask, tick=tick)
    assert out == reprice.Backoff(D(expected), 1)
    assert out.code == "EXEC_POST_ONLY_BACKOFF"


def test_backoff_when_touch_off_grid_then_snapped_passively() -> None:
    # BUY 0.60 vs ask 0.523 (off a 0.01 grid): min(0.59, 0.513) = 0.513, floored to 0.51.
    assert _backoff("0.60", "BUY", None, "0.523").price == D("0.51")
    # SELL vs bid 0.477: max(0.41, 0.487) = 0.487 ceils to 0.49.
    assert _backoff("0.40", "SELL", "0.477", None).price == D("0.49")


@pytest.mark.parametrize(
    ("price", "side", "bid", "ask", "requote"),
    [
        ("0.01", "BUY", None, "0.02", "0.00"),  # min(0.00, 0.01) = 0.00 < tick
        ("0.05", "BUY", None, "0.01", "0.00"),  # ask at the floor: 0.01 − 0.01 = 0
        ("0.99", "SELL", "0.98", None, "1.00"),  # 0.99 + 0.01 = 1.00 > 1 − tick
        ("0.50", "SELL", "0.99", None, "1.00"),  # bid at the ceiling: 0.99 + 0.01
    ],
)
def test_backoff_when_requote_leaves_band_then_out_of_band(price: str, side: str, bid, ask, requote: str) -> None:
    out = _backoff(price, side, bid, ask)
    assert isinstance(out, Rejection)
    assert out.code == "EXEC_PRICE_OUT_OF_BAND"
    assert D(out.details["requote"]) == D(requote)


def test_backoff_when_attempts_exhausted_then_stop_requoting() -> None:
    assert _backoff("0.52", "BUY", None, "0.52", attempt=3) == reprice.Backoff(D("0.51"), 3)  # 3 <= max 3
    out = _backoff("0.52", "BUY", None, "0.52", attempt=4)
    assert out == Rejection("EXEC_POST_ONLY_BACKOFF", {
        "price": "0.52", "side": "BUY", "tick_size": "0.01", "attempt": "4", "max_attempts": "3",
    })  # fmt: skip
    assert isinstance(_backoff("0.52", "BUY", None, "0.52", attempt=2, max_attempts=1), Rejection)


def test_backoff_when_attempt_below_one_then_raises() -> None:
    with pytest.raises(ValueError, match="attempt counts from 1"):
        _backoff("0.52", "BUY", None, "0.52", attempt=0)


@pytest.mark.parametrize("bad", [{"max_attempts": 0}, {"other": 1}])
def test_config_when_invalid_then_raises(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        reprice.Config(**bad)


def test_backoff_is_deterministic() -> None:
    assert _backoff("0.52", "BUY", "0.45", "0.48") == _backoff("0.52", "BUY", "0.45", "0.48")


def test_backoff_when_requote_lands_on_band_edge_then_allowed() -> None:
    # BUY 0.02 → 0.01 = tick; SELL 0.98 → 0.99 = 1 − tick: both inside [tick, 1 − tick].
    assert _backoff("0.02", "BUY", None, "0.02").price == D("0.01")
    assert _backoff("0.98", "SELL", "0.98", None).price == D("0.99")


def test_backoff_on_fine_grid() -> None:
    # tick 0.001: SELL 0.500 vs bid 0.503 → max(0.501, 0.504) = 0.504.
    assert _backoff("0.500", "SELL", "0.503", None, tick="0.001") == reprice.Backoff(D("0.504"), 1)


def test_backoff_when_touch_keeps_moving_then_chases_until_the_limit() -> None:
    # A BUY rejected three times as the ask falls 0.50 → 0.48 → 0.47: requotes 0.49, 0.47, 0.46;
    # the fourth rejection stops it.
    price, attempts = D("0.50"), []
    for attempt, ask in enumerate(("0.50", "0.48", "0.47", "0.45"), start=1):
        out = reprice.backoff(price, Side.BUY, D("0.01"), None, D(ask), attempt, reprice.Config())
        if isinstance(out, Rejection):
            attempts.append(out.code)
            break
        price = out.price
        attempts.append(price)
    assert attempts == [D("0.49"), D("0.47"), D("0.46"), "EXEC_POST_ONLY_BACKOFF"]
