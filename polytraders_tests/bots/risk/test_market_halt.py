"""risk.market_halt: a closed, paused, halted or resolved market, an unknown status, or a price off the
token's current grid is rejected."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from polytraders.bots.risk import market_halt
from polytraders_tests.bots.risk.frames import approve, intents, reject, vote

HALTED = reject("RISK_MARKET_HALTED")


def test_vote_when_healthy_row_and_default_config_then_approve() -> None:
    assert vote(market_halt, intents()) == [approve()]  # ACTIVE, accepting, 0.50 on the 0.01 grid


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({}, approve()),
        ({"token_status": "CLOSED"}, HALTED),
        ({"token_status": "RESOLVED"}, HALTED),  # terminal
        ({"token_status": None}, HALTED),  # status unknown: fail closed
        ({"active": False}, HALTED),  # paused
        ({"active": None}, HALTED),
        ({"accepting_orders": False}, HALTED),  # order entry halted
        ({"accepting_orders": None}, HALTED),
        ({"token_status": "RESOLVED", "side": "SELL"}, HALTED),  # SELLs too
    ],
)
def test_vote_when_market_state_then_vote(row: dict[str, Any], expected: tuple) -> None:
    assert vote(market_halt, intents(row)) == [expected]


@pytest.mark.parametrize(
    ("price", "tick", "expected"),
    [
        ("0.965", "0.001", approve()),  # 965000 µ mod 1000 µ = 0 (float: 0.965 % 0.001 = 0.000999…)
        ("0.965", "0.01", HALTED),  # 965000 mod 10000 = 5000: 96.5 ticks, off the coarser grid
        ("0.96", "0.01", approve()),  # 96 ticks
        ("0.001", "0.001", approve()),  # the lowest price on the grid
        ("0.999", "0.001", approve()),  # the highest
        ("0.9995", "0.001", HALTED),  # 999500 mod 1000 = 500
        ("0.55", "0.05", approve()),  # 11 × 0.05 (float: 0.55 % 0.05 = 1.4e-17)
        ("0.3", "0.1", approve()),  # 3 ticks (float: 0.3 % 0.1 = 0.0999…)
        ("0.500001", "0.01", HALTED),  # one micro-unit off: 500001 mod 10000 = 1
        ("0.50", None, HALTED),  # grid unknown: fail closed
        ("0.50", "0", HALTED),  # a zero tick is no grid: fail closed
    ],
)
def test_vote_when_price_against_current_grid_then_exact_check(price: str, tick: str | None, expected: tuple) -> None:
    assert vote(market_halt, intents({"price": price, "tick_size": tick})) == [expected]


def test_vote_when_float_modulo_would_misjudge_then_exact_check_does_not() -> None:
    # The trap the exact check avoids: in binary floating point these valid prices are "off grid".
    assert 0.965 % 0.001 != 0 and 0.55 % 0.05 != 0 and 0.3 % 0.1 != 0
    frame = intents(
        {"price": "0.965", "tick_size": "0.001"},
        {"price": "0.55", "tick_size": "0.05"},
        {"price": "0.3", "tick_size": "0.1"},
    )
    assert vote(market_halt, frame) == [approve()] * 3


def test_vote_when_grid_check_off_then_only_status_decides() -> None:
    frame = intents(
        {"price": "0.965", "tick_size": "0.01"},
        {"price": "0.965", "tick_size": None},
        {"price": "0.965", "tick_size": "0.01", "token_status": "RESOLVED"},
    )
    assert vote(market_halt, frame, check_tick_grid=False) == [approve(), approve(), HALTED]


def test_vote_when_rows_differ_then_each_row_judged_in_order() -> None:
    frame = intents(
        {"size": "5"},
        {"accepting_orders": False},
        {"price": "0.505", "size": "9"},
        {"price": "0.505", "tick_size": "0.001", "size": "9"},
    )
    assert vote(market_halt, frame) == [approve("5"), HALTED, HALTED, approve("9")]


def test_vote_when_empty_frame_then_empty_votes() -> None:
    assert vote(market_halt, intents().clear()) == []


def test_config_when_unknown_or_bad_field_then_validation_error() -> None:
    assert market_halt.Config().check_tick_grid is True
    with pytest.raises(pydantic.ValidationError, match="check_tick_grid"):
        market_halt.Config(check_tick_grid="sometimes")
    with pytest.raises(pydantic.ValidationError, match="max_age"):
        market_halt.Config(max_age=1)
