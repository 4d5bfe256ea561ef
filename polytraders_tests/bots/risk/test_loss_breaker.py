"""risk.loss_breaker: trailing-hour and UTC-day realised loss limits and the loss-streak cool-down
stop BUYs; SELLs pass."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.risk import loss_breaker
from polytraders.bots.risk.context import RiskContext
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID
from polytraders_tests.bots.risk.frames import approve, fills, healthy_context, intents, reject, vote

CODE = "RISK_DAILY_LOSS"
HOUR = 3_600_000
MIN = 60_000
DAY_START = T0 - 51_200_000  # T0 = 1_790_000_000_000 = day 20_717 + 51_200_000 ms (14:13:20 UTC)


def _fills(*rows: tuple[int, str]) -> RiskContext:
    """Context whose fills are (ts_ms, realised pnl) in market m1's YES token."""
    return healthy_context(fills=fills(*((t, CONDITION["m1"], TOKEN_ID["yes"], p) for t, p in rows)))


def test_vote_when_healthy_then_approve() -> None:
    assert vote(loss_breaker, intents()) == [approve()]


def test_vote_when_no_intents_then_empty_vote_frame() -> None:
    assert vote(loss_breaker, intents().clear()) == []


def test_config_when_defaults_then_documented_values() -> None:
    config = loss_breaker.Config()
    assert (config.hourly_loss_limit_usdc, config.daily_loss_limit_usdc) == (50, 100)
    assert (config.loss_streak, config.cooldown_ms) == (5, 900_000)


@pytest.mark.parametrize(
    ("pnl", "expected"),
    [
        ("-49.999999", approve()),  # −49.999999 > −50
        ("-50", reject(CODE)),  # exactly the hourly limit: breached
        ("-50.000001", reject(CODE)),
    ],
)
def test_vote_when_trailing_hour_loss_at_the_limit_then_rejected_from_it(pnl: str, expected: tuple) -> None:
    assert vote(loss_breaker, intents(), _fills((T0 - 10 * MIN, pnl))) == [expected]


@pytest.mark.parametrize(
    ("age_ms", "expected"),
    [
        (HOUR - 1, reject(CODE)),  # still inside (T0 − 1 h, T0]
        (HOUR, approve()),  # exactly one hour old: out of the window (and −60 > −100 for the day)
        (0, reject(CODE)),  # a fill at T0 itself counts (window ends at T0 inclusive)
    ],
)
def test_vote_when_loss_ages_out_of_the_hour_then_approved_at_exactly_one_hour(age_ms: int, expected: tuple) -> None:
    assert vote(loss_breaker, intents(), _fills((T0 - age_ms, "-60"))) == [expected]


def test_vote_when_hourly_sum_nets_wins_and_losses_then_sum_decides() -> None:
    # −40 − 30 + 25 = −45 > −50 → approve; one more −5 → −50 → reject
    ctx = _fills((T0 - 30 * MIN, "-40"), (T0 - 20 * MIN, "-30"), (T0 - 10 * MIN, "25"))
    assert vote(loss_breaker, intents(), ctx) == [approve()]
    ctx = _fills((T0 - 30 * MIN, "-40"), (T0 - 20 * MIN, "-30"), (T0 - 10 * MIN, "25"), (T0 - MIN, "-5"))
    assert vote(loss_breaker, intents(), ctx) == [reject(CODE)]


@pytest.mark.parametrize(
    ("first_ts", "expected"),
    [
        (DAY_START, reject(CODE)),  # −45 − 45 − 10 = −100 at 00:00:00.000 today: the day's limit
        (DAY_START - 1, approve()),  # the −45 at 23:59:59.999 yesterday is another day: −55 > −100
    ],
)
def test_vote_when_day_loss_reaches_limit_then_rejected_and_midnight_splits_days(
    first_ts: int, expected: tuple
) -> None:
    # each hour's loss stays above −50: only the daily limit can trip
    ctx = _fills((first_ts, "-45"), (DAY_START + 2 * HOUR, "-45"), (T0 - 2 * HOUR, "-10"))
    assert vote(loss_breaker, intents(), ctx) == [expected]


def test_vote_when_day_limit_is_configured_then_it_decides() -> None:
    ctx = _fills((T0 - 3 * HOUR, "-30"), (T0 - 2 * HOUR, "-30"))  # day −60, last hour 0
    assert vote(loss_breaker, intents(), ctx, daily_loss_limit_usdc="60") == [reject(CODE)]
    assert vote(loss_breaker, intents(), ctx, daily_loss_limit_usdc="60.000001") == [approve()]


def test_vote_when_fill_after_the_intent_then_not_seen() -> None:
    assert vote(loss_breaker, intents(), _fills((T0 + 1, "-500"))) == [approve()]


def test_vote_when_sell_during_loss_stop_then_approved() -> None:
    assert vote(loss_breaker, intents({"side": "SELL"}), _fills((T0 - MIN, "-500"))) == [approve()]


def _streak(*pnls: str) -> RiskContext:
    """Fills one minute apart, the last at T0 − 1 min."""
    n = len(pnls)
    return _fills(*((T0 - (n - i) * MIN, p) for i, p in enumerate(pnls)))


@pytest.mark.parametrize(
    ("pnls", "expected"),
    [
        (("-1",) * 4, approve()),  # 4 losses < 5
        (("-1",) * 5, reject(CODE)),  # 5 losses: cool-down until T0 − 1 min + 15 min
        (("-1", "-1", "0", "-1", "0", "-1", "-1"), reject(CODE)),  # zero-PnL fills neither break nor add
        (("-1", "-1", "2", "-1", "-1", "-1"), approve()),  # a win resets: the streak is 3
        (("-1", "-1", "-1", "-1", "-1", "3"), reject(CODE)),  # a win after the 5th loss does not lift the lock
    ],
)
def test_vote_when_loss_streak_then_cooldown(pnls: tuple[str, ...], expected: tuple) -> None:
    # every sum stays above −50: only the streak can trip
    assert vote(loss_breaker, intents(), _streak(*pnls)) == [expected]


@pytest.mark.parametrize(
    ("since_last_loss_ms", "expected"),
    [
        (900_000 - 1, reject(CODE)),  # 14:59.999 after the 5th loss
        (900_000, approve()),  # exactly 15 min: over
    ],
)
def test_vote_when_cooldown_ends_then_approved_at_exactly_cooldown_ms(since_last_loss_ms: int, expected: tuple) -> None:
    last = T0 - since_last_loss_ms
    ctx = _fills(*((last - k * MIN, "-1") for k in (4, 3, 2, 1, 0)))
    assert vote(loss_breaker, intents(), ctx) == [expected]


def test_vote_when_streak_continues_then_cooldown_restarts_from_latest_loss() -> None:
    # losses at T0 − 20 … T0 − 16 min (5th starts the lock until T0 − 1 min), a 6th at T0 − 10 min
    ctx = _fills(*((T0 - m * MIN, "-1") for m in (20, 19, 18, 17, 16, 10)))
    assert vote(loss_breaker, intents(), ctx) == [reject(CODE)]  # lock until T0 + 5 min
    assert vote(loss_breaker, intents({"ts_ms": T0 + 5 * MIN - 1}), ctx) == [reject(CODE)]
    assert vote(loss_breaker, intents({"ts_ms": T0 + 5 * MIN}), ctx) == [approve()]


def test_vote_when_streak_and_cooldown_configured_then_used() -> None:
    ctx = _streak("-1", "-1")
    assert vote(loss_breaker, intents(), ctx, loss_streak=2) == [reject(CODE)]
    assert vote(loss_breaker, intents(), ctx, loss_streak=2, cooldown_ms=MIN) == [approve()]  # last loss 1 min ago
    assert vote(loss_breaker, intents(), ctx, loss_streak=2, cooldown_ms=0) == [approve()]


def test_vote_when_fill_pnl_unknown_in_window_then_rejected() -> None:
    ctx = healthy_context(
        fills=fills((T0 - MIN, CONDITION["m1"], TOKEN_ID["yes"], "0")).with_columns(
            realised_pnl_usdc=pl.lit(None, pl.Decimal(38, 6))
        )
    )
    assert vote(loss_breaker, intents(), ctx) == [reject(CODE)]
    assert vote(loss_breaker, intents({"side": "SELL"}), ctx) == [approve()]


def test_vote_when_rows_at_different_times_then_each_judged_as_of_its_own_time_in_order() -> None:
    # −30 at T0 − 50 min and −25 at T0 − 5 min: hour sum at T0 = −55
    ctx = _fills((T0 - 50 * MIN, "-30"), (T0 - 5 * MIN, "-25"))
    frame = intents(
        {"ts_ms": T0 - 6 * MIN},  # only the −30 so far: −30 > −50
        {"ts_ms": T0},  # −55 <= −50
        {"ts_ms": T0, "side": "SELL"},  # SELLs pass
        {"ts_ms": T0 + 10 * MIN},  # the −30 is over an hour old: −25
    )
    assert vote(loss_breaker, frame, ctx) == [approve(), reject(CODE), approve(), approve()]


def test_vote_when_same_input_twice_then_same_output() -> None:
    ctx = _streak("-1", "-1", "-1", "-1", "-1")
    frame = intents({}, {"side": "SELL"})
    assert vote(loss_breaker, frame, ctx) == vote(loss_breaker, frame, ctx) == [reject(CODE), approve()]


@pytest.mark.parametrize(
    "bad",
    [
        {"hourly_loss_limit_usdc": "0"},
        {"daily_loss_limit_usdc": "-1"},
        {"loss_streak": 0},
        {"cooldown_ms": -1},
        {"unknown": 1},
    ],
)
def test_config_when_invalid_then_validation_error(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        loss_breaker.Config(**bad)
