"""risk.api_degradation: venue error rate (425 / 5xx / no answer), error bursts and p95 latency over the
trailing window of api calls, and the market feed's last closed FeedHealth window, each deny new orders."""

from __future__ import annotations

from typing import Any

import polars as pl
import pydantic
import pytest

from polytraders.bots.risk import api_degradation as bot
from polytraders.bots.risk.context import VOTE_SCHEMA, RiskContext
from polytraders.contracts.frames import empty_frame
from polytraders_tests.bots.frames import T0
from polytraders_tests.bots.risk.frames import approve, healthy_context, intents, reject, venue_events, vote

DEGRADED = reject("RISK_API_DEGRADED")
MINUTE = 60_000


def _feed(*windows: dict[str, Any]) -> pl.DataFrame:
    """FeedHealth rows: each dict overrides a live market-channel window of 100 data frames and no
    quarantined frame starting at ``T0 − 61,000`` (so it closes at ``T0 − 1,000``)."""
    base = {
        "channel": "market", "window_start_ms": T0 - 61_000, "window_ms": MINUTE, "data_frames": 100,
        "keepalive_frames": 6, "quarantined_frames": 0, "last_data_receive_ts_ms": T0 - 1_500,
        "longest_data_gap_ms": 2_000, "liveness_budget_ms": 120_000, "live": True,
    }  # fmt: skip
    schema = empty_frame("FeedHealth").schema
    return pl.DataFrame([{**base, **w} for w in windows], schema=schema)


#: live market windows closing every minute from T0 - 241,000 to T0 - 1,000: a known feed state for
#: intents in [T0 - 241,000, T0 + 59,000)
FEED_OK = _feed(*[{"window_start_ms": T0 - 61_000 - MINUTE * k} for k in range(5)])


def _ctx(*calls: tuple[int, int | None, int | None], feed: pl.DataFrame = FEED_OK) -> RiskContext:
    """A context with api rows ``(ts_ms, status, latency_ms)``, a user message, an acknowledged
    heartbeat and the market feed's FeedHealth rows ``feed``."""
    return healthy_context(
        venue_events=venue_events(
            (T0 - 1_000, "user", None, None, None), (T0 - 1_000, "heartbeat", "POST /heartbeats", 200, 20),
            *[(t, "api", "POST /order", s, lat) for t, s, lat in calls],
        ),
        feed_health=feed,
    )  # fmt: skip


def _spread(statuses: list[int | None], end_ms: int = T0, latency_ms: int | None = 50) -> list[Any]:
    """One call per status, 100 ms apart, the last at ``end_ms``."""
    return [(end_ms - 100 * (len(statuses) - 1 - k), s, latency_ms) for k, s in enumerate(statuses)]


OK, ERR = 200, 503


def test_vote_when_healthy_row_with_feed_health_then_approve() -> None:
    # one fast call (n = 1 < 10), live feed window closed at T0 - 1,000
    assert vote(bot, intents(), _ctx((T0 - 1_000, 200, 50))) == [approve()]


def test_vote_when_no_feed_health_then_require_feed_health_decides() -> None:
    # no FeedHealth rows: unknown feed state fails closed by default; the healthy context has a live window
    no_feed = healthy_context(feed_health=empty_frame("FeedHealth"))
    assert vote(bot, intents(), no_feed) == [DEGRADED]
    assert vote(bot, intents(), no_feed, require_feed_health=False) == [approve()]
    assert vote(bot, intents(), healthy_context()) == [approve()]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([ERR, OK, ERR, OK, OK, OK, OK, OK, OK, OK], approve()),  # 2 / 10 = 0.2, not > 0.2
        ([ERR, OK, ERR, OK, ERR, OK, OK, OK, OK, OK], DEGRADED),  # 3 / 10 = 0.3 > 0.2
        ([ERR, OK, ERR, OK, ERR, OK, ERR, OK] + [OK] * 12, approve()),  # 4 / 20 = 0.2
        ([ERR, OK, ERR, OK, ERR, OK, ERR, OK, ERR] + [OK] * 12, DEGRADED),  # 5 / 21 = 0.238
        ([ERR, OK, ERR, OK, ERR, OK, ERR, OK, ERR], approve()),  # 5 / 9 but n = 9 < min_calls 10
        ([ERR, OK, ERR, OK, ERR, OK, ERR, OK, ERR, OK], DEGRADED),  # n = 10: 5 / 10 = 0.5
    ],
)
def test_vote_when_error_rate_around_the_limit_then_boundary_exact(statuses: list[int], expected: Any) -> None:
    assert vote(bot, intents(), _ctx(*_spread(statuses))) == [expected]


@pytest.mark.parametrize(
    ("status", "is_error"),
    [(425, True), (500, True), (502, True), (None, True), (400, False), (404, False), (429, False), (201, False)],
)
def test_vote_when_status_then_classified(status: int | None, is_error: bool) -> None:
    # 3 of 10 calls with ``status``, never two in a row: 0.3 > 0.2 only if they are venue errors
    calls = _spread([status, OK, status, OK, status, OK, OK, OK, OK, OK])
    assert vote(bot, intents(), _ctx(*calls)) == [DEGRADED if is_error else approve()]


def test_vote_when_window_edges_then_half_open() -> None:
    # 3 errors at T0 - 59,999, then 7 successes at T0 - 30,000
    calls = [(T0 - 59_999, ERR, 50)] * 3 + [(T0 - 30_000, OK, 50)] * 7
    frame = intents(
        {"ts_ms": T0 - 30_001},  # only the 3 errors: a burst, but its last error is 29,998 ms old; n = 3 < 10
        {"ts_ms": T0},  # window (T0 - 60,000, T0]: n = 10, 3 errors = 0.3 > 0.2
        {"ts_ms": T0 + 1},  # window (T0 - 59,999, T0 + 1] leaves the errors out: n = 7 < 10
    )
    assert vote(bot, frame, _ctx(*calls)) == [approve(), DEGRADED, approve()]


def test_vote_when_burst_then_denied_for_burst_window() -> None:
    three = [(T0 - 10_200, 425, 30), (T0 - 10_100, 425, 30), (T0 - 10_000, 425, 30)]
    frame = intents({"ts_ms": T0 - 10_000}, {"ts_ms": T0 - 1}, {"ts_ms": T0})
    # last error at ts: 0 ms old; at T0 - 1: 9,999 < 10,000; at T0: 10,000, not < 10,000 (n = 3 < min_calls)
    assert vote(bot, frame, _ctx(*three)) == [DEGRADED, DEGRADED, approve()]
    # one more error after the pause closes it again at once: a run of 4
    assert vote(bot, intents(), _ctx(*three, (T0, 502, 30))) == [DEGRADED]
    # a success ends the run
    assert vote(bot, intents(), _ctx(*three, (T0 - 1, OK, 30))) == [approve()]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([ERR, ERR], approve()),  # 2 in a row < 3
        ([ERR, None, 425], DEGRADED),  # no answer counts as an error
        ([ERR, ERR, 429, ERR], approve()),  # 429 is not a venue error: it breaks the run (n = 4 < 10)
        ([ERR, ERR, ERR, OK], approve()),  # the run ended
    ],
)
def test_vote_when_error_runs_then_burst_counted(statuses: list[int | None], expected: Any) -> None:
    assert vote(bot, intents(), _ctx(*_spread(statuses))) == [expected]


def test_vote_when_same_ms_calls_then_log_order_decides_the_run() -> None:
    calls = [(T0 - 5, ERR, 30), (T0 - 5, ERR, 30), (T0 - 5, OK, 30), (T0 - 5, ERR, 30)]
    assert vote(bot, intents(), _ctx(*calls)) == [approve()]  # the success sits between: run of 1
    assert vote(bot, intents(), _ctx(*calls[2:], *calls[:2])) == [DEGRADED]  # run of 3 at the end


@pytest.mark.parametrize(
    ("latencies", "expected"),
    [
        ([2_001] + [100] * 19, approve()),  # 1 slow of 20: 20 x 1 = 20, not > 20 (p95 = the 19th smallest)
        ([2_001, 2_001] + [100] * 18, DEGRADED),  # 2 slow of 20: 40 > 20
        ([2_000, 2_000, 2_000] + [100] * 17, approve()),  # exactly the budget is not slow
        ([None, None] + [100] * 18, DEGRADED),  # no latency recorded counts as slow
        ([5_000] * 9, approve()),  # all slow but n = 9 < min_calls
        ([5_000] + [100] * 9, DEGRADED),  # 1 slow of 10: 20 > 10 (p95 = the 10th smallest = 5,000)
    ],
)
def test_vote_when_latency_around_p95_budget_then_boundary_exact(latencies: list[int | None], expected: Any) -> None:
    calls = [(T0 - 100 * k, OK, lat) for k, lat in enumerate(latencies)]
    assert vote(bot, intents(), _ctx(*calls)) == [expected]


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ({"live": False}, DEGRADED),
        ({"live": None}, DEGRADED),
        ({"quarantined_frames": 20}, approve()),  # 20 / 100 = 0.2, not > 0.2
        ({"quarantined_frames": 21}, DEGRADED),  # 0.21
        ({"data_frames": 0, "quarantined_frames": 0}, approve()),  # 0 / max(0, 1)
        ({"data_frames": 0, "quarantined_frames": 1}, DEGRADED),  # 1 / max(0, 1) = 1
        ({"data_frames": None}, DEGRADED),
        ({"quarantined_frames": None}, DEGRADED),
        ({"channel": "user"}, DEGRADED),  # only the market channel counts: none known
        ({"window_start_ms": T0 - 60_000}, approve()),  # closes at exactly T0: closed
        ({"window_start_ms": T0 - 59_999}, DEGRADED),  # closes at T0 + 1: still open, none closed
        ({"window_start_ms": T0 - 119_999}, approve()),  # ended 59,999 ms before T0: the latest one
        ({"window_start_ms": T0 - 120_000}, DEGRADED),  # ended a whole window before T0: windows missing since
    ],
)
def test_vote_when_feed_health_window_then_judged(window: dict[str, Any], expected: Any) -> None:
    assert vote(bot, intents(), _ctx(feed=_feed(window))) == [expected]


def test_vote_when_custom_feed_rate_and_no_requirement_then_used() -> None:
    ctx = _ctx(feed=_feed({"quarantined_frames": 21}))
    assert vote(bot, intents(), ctx, max_feed_error_rate="0.21") == [approve()]  # 0.21 not > 0.21
    assert vote(bot, intents(), _ctx(feed=_feed({"channel": "user"})), require_feed_health=False) == [approve()]
    # require_feed_health only covers missing rows: a dead feed still rejects
    assert vote(bot, intents(), _ctx(feed=_feed({"live": False})), require_feed_health=False) == [DEGRADED]


def test_vote_when_several_windows_then_latest_closed_one_per_intent() -> None:
    feed = _feed({"window_start_ms": T0 - 120_000, "live": False}, {"window_start_ms": T0 - 60_000})
    frame = intents(
        {"ts_ms": T0 + 30_000, "size": "7"},  # latest closed: the live one ending at T0
        {"ts_ms": T0 - 1, "size": "9"},  # latest closed: the dead one ending at T0 - 60,000
        {"ts_ms": T0, "size": "11"},  # the live one closes at exactly T0
        {"ts_ms": None, "size": "13"},  # null time: fail closed
    )
    assert vote(bot, frame, _ctx(feed=feed)) == [approve("7"), DEGRADED, approve("11"), DEGRADED]


def test_vote_when_custom_api_config_then_used() -> None:
    calls = _spread([ERR, OK, OK, OK])  # 1 / 4 = 0.25
    assert vote(bot, intents(), _ctx(*calls), min_calls=4) == [DEGRADED]
    assert vote(bot, intents(), _ctx(*calls), min_calls=4, max_error_rate="0.25") == [approve()]
    assert vote(bot, intents(), _ctx(*_spread([ERR])), burst_count=1) == [DEGRADED]
    assert vote(bot, intents(), _ctx(*_spread([OK] * 10, latency_ms=300)), max_p95_latency_ms=299) == [DEGRADED]
    # a 1 s window: the errors 1,000 ms before T0 are out of it
    assert vote(bot, intents(), _ctx(*[(T0 - 1_000, ERR, 5)] * 10), window_ms=1_000, burst_window_ms=1) == [approve()]


def test_vote_when_no_api_calls_then_no_evidence() -> None:
    assert vote(bot, intents(), _ctx()) == [approve()]


def test_vote_when_empty_frame_then_empty_votes() -> None:
    out = bot.vote(intents().clear(), _ctx(), bot.Config())
    assert out.schema == VOTE_SCHEMA and out.height == 0


@pytest.mark.parametrize(
    "bad",
    [{"window_ms": 999}, {"min_calls": 0}, {"max_error_rate": "1.01"}, {"max_error_rate": "-0.1"},
     {"max_error_rate": "0.0000001"}, {"burst_count": 0}, {"burst_window_ms": 0}, {"max_p95_latency_ms": 0},
     {"max_feed_error_rate": "2"}, {"error_rate": 0.2}],
)  # fmt: skip
def test_config_when_invalid_then_validation_error(bad: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        bot.Config(**bad)


def test_config_defaults() -> None:
    c = bot.Config()
    assert (c.window_ms, c.min_calls, str(c.max_error_rate), c.burst_count, c.burst_window_ms) == (
        60_000, 10, "0.2", 3, 10_000)
    assert (c.max_p95_latency_ms, str(c.max_feed_error_rate), c.require_feed_health) == (2_000, "0.2", True)
    assert (bot.SLUG, bot.VERSION, bot.CODE) == ("risk.api_degradation", "0.1.0", "RISK_API_DEGRADED")
