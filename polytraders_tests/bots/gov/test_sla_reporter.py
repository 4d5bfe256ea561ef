"""gov.sla_reporter: nearest-rank latencies along causation, rates, feed gaps and uptime."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.gov import sla_reporter
from polytraders.contracts.frames import empty_frame

TS = 1_700_000_000_000
CFG = sla_reporter.Config()  # gap_ms 10_000, percentiles (50, 95), book states from intel.microprice


def _figures(out: pl.DataFrame, prefix: str) -> list[tuple]:
    return out.filter(pl.col("metric").str.starts_with(prefix)).select("metric", "key", "value", "sample_count").rows()


def test_run_when_votes_then_vote_lag_nearest_rank_overall_and_per_bot(stream) -> None:
    # killswitch lags 10, 20, 30, 40 ms; stale_book lags 5 ms (one intent each)
    for n, lag in enumerate((10, 20, 30, 40)):
        intent = stream.intent(f"i{n}", TS + 1_000 * n)
        stream.vote(f"k{n}", "risk.killswitch", intent, TS + 1_000 * n + lag)
        if n == 0:
            stream.vote("s0", "risk.stale_book", intent, TS + 5)

    out = sla_reporter.run(stream.frame(), CFG)

    # overall sorted: 5, 10, 20, 30, 40 (n=5): p50 k=ceil(2.5)=3 -> 20; p95 k=ceil(4.75)=5 -> 40
    # killswitch (n=4): p50 k=ceil(2)=2 -> 20; p95 k=ceil(3.8)=4 -> 40; stale_book (n=1): 5
    assert _figures(out, "s7_vote_lag") == [
        ("s7_vote_lag_p50", "", 20.0, 5),
        ("s7_vote_lag_p50", "risk.killswitch", 20.0, 4),
        ("s7_vote_lag_p50", "risk.stale_book", 5.0, 1),
        ("s7_vote_lag_p95", "", 40.0, 5),
        ("s7_vote_lag_p95", "risk.killswitch", 40.0, 4),
        ("s7_vote_lag_p95", "risk.stale_book", 5.0, 1),
    ]
    assert set(out.filter(pl.col("metric").str.starts_with("s7"))["unit"]) == {"ms"}


@pytest.mark.parametrize(
    ("n", "p", "expected"),
    [(20, 95, 19.0), (21, 95, 20.0), (20, 50, 10.0), (1, 50, 1.0), (100, 95, 95.0), (3, 100, 3.0), (3, 1, 1.0)],
)
def test_run_when_percentile_at_rank_boundary_then_exact_nearest_rank(stream, n: int, p: int, expected: float) -> None:
    # lags 1..n ms, so the k-th smallest is k: k = ceil(p·n/100); 0.95·20 = 19 exactly, 0.95·21 = 19.95 -> 20
    for i in range(n):
        stream.vote(f"v{i}", "risk.killswitch", stream.intent(f"i{i}", TS), TS + i + 1)

    out = sla_reporter.run(stream.frame(), sla_reporter.Config(percentiles=(p,)))

    assert _figures(out, f"s7_vote_lag_p{p}")[0] == (f"s7_vote_lag_p{p}", "", expected, n)


def test_run_when_plans_acked_and_filled_then_ack_and_fill_latencies_from_plan_time(stream) -> None:
    p1 = stream.plan("p1", stream.intent("i1", TS), TS + 100)
    p2 = stream.plan("p2", stream.intent("i2", TS), TS + 200)
    stream.plan("p3", stream.intent("i3", TS), TS + 300)  # never acked: no observation
    stream.order_event("e1", p1, TS + 130)  # ack 30
    stream.order_event("e1b", p1, TS + 110)  # an earlier event of p1 in later stream order: ack = 10
    stream.order_event("e2", p2, TS + 250)  # ack 50
    stream.fill("f1", p1, TS + 1_100)  # 1_000
    signed = stream.signed("s2", p2, TS + 210)
    stream.fill("f2", signed, TS + 2_200)  # via the signed request to p2: 2_000

    out = sla_reporter.run(stream.frame(), CFG)

    # acks (10, 50): p50 k=1 -> 10, p95 k=2 -> 50; fills (1_000, 2_000): p50 1_000, p95 2_000
    assert _figures(out, "s8") == [("s8_ack_latency_p50", "", 10.0, 2), ("s8_ack_latency_p95", "", 50.0, 2)]
    assert _figures(out, "time_to_fill") == [("time_to_fill_p50", "", 1000.0, 2), ("time_to_fill_p95", "", 2000.0, 2)]


def test_run_when_rejects_then_rates_overall_per_intent_and_per_bot_per_vote(stream) -> None:
    a, b, c = stream.intent("a", TS), stream.intent("b", TS), stream.intent("c", TS)
    stream.vote("ka", "risk.killswitch", a, TS)
    stream.vote("sa", "risk.stale_book", a, TS, decision="REJECT", code="RISK_STALE_BOOK")
    stream.vote("kb", "risk.killswitch", b, TS, decision="REJECT", code="RISK_KILL_SWITCH")
    stream.vote("kc", "risk.killswitch", c, TS)

    out = sla_reporter.run(stream.frame(), CFG)

    # overall: a and b rejected of 3 evaluated = 2/3; killswitch 1 of 3 votes; stale_book 1 of 1
    assert _figures(out, "reject_rate") == [
        ("reject_rate", "", 2 / 3, 3),
        ("reject_rate", "risk.killswitch", 1 / 3, 3),
        ("reject_rate", "risk.stale_book", 1.0, 1),
    ]


def test_run_when_signals_with_gaps_and_quarantines_then_gap_rate_and_uptime_figures(stream) -> None:
    # span of the stream: TS .. TS + 100_000 = 100_000 ms
    for name, ts, token in [("a0", 0, "1"), ("a1", 5_000, "1"), ("a2", 35_000, "1"), ("a3", 45_000, "1"),
                            ("a4", 100_000, "1"), ("b0", 20_000, "2"), ("b1", 50_000, "2")]:
        stream.signal(name, TS + ts, token=token)
    stream.quarantine("q1", TS + 1_000)
    stream.signal("other", TS + 2_000, token="1", bot="intel.book_imbalance")  # not a book-state bot

    out = sla_reporter.run(stream.frame(), CFG)

    # token 1 steps: 5_000, 30_000 (gap), 10_000 (== gap_ms: not a gap), 55_000 (gap) -> 2 gaps, longest 55_000,
    #   down 85_000 -> uptime (100_000 - 85_000) / 100_000 = 0.15
    # token 2 steps: 30_000 (gap [20_000, 50_000]) -> uptime 0.7
    # union of gaps [5_000, 35_000] u [20_000, 50_000] u [45_000, 100_000] = [5_000, 100_000] -> 0.05 (1 block)
    # quarantine rate: 1 / (1 + 7 book states)
    assert _figures(out, "quarantine_rate") == [("quarantine_rate", "", 1 / 8, 8)]
    assert _figures(out, "feed_gap") == [
        ("feed_gap_count", "", 3.0, 5), ("feed_gap_count", "1", 2.0, 4), ("feed_gap_count", "2", 1.0, 1),
        ("feed_gap_longest", "", 55_000.0, 5), ("feed_gap_longest", "1", 55_000.0, 4),
        ("feed_gap_longest", "2", 30_000.0, 1),
    ]  # fmt: skip
    assert _figures(out, "uptime") == [("uptime", "", 0.05, 1), ("uptime", "1", 0.15, 2),
                                       ("uptime", "2", 0.7, 1)]  # fmt: skip
    assert set(out["ts_ms"]) == {TS + 100_000}


def test_run_when_no_gaps_then_zero_counts_and_full_uptime(stream) -> None:
    stream.signal("a0", TS)
    stream.signal("a1", TS + 10_000)  # exactly gap_ms: no gap

    out = sla_reporter.run(stream.frame(), CFG)

    assert _figures(out, "feed_gap_count") == [("feed_gap_count", "", 0.0, 1), ("feed_gap_count", "1", 0.0, 1)]
    assert _figures(out, "uptime") == [("uptime", "", 1.0, 0), ("uptime", "1", 1.0, 0)]
    assert _figures(out, "reject_rate") == [] and _figures(out, "s7") == []  # nothing to measure: omitted


def test_run_when_stream_empty_then_typed_empty() -> None:
    assert sla_reporter.run(empty_frame("ReportEnvelope"), CFG).equals(empty_frame("SlaFigure"))


@pytest.mark.parametrize("bad", [{"percentiles": (0,)}, {"percentiles": (101,)}, {"percentiles": ()}, {"gap_ms": 0}])
def test_config_when_out_of_range_then_rejected(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        sla_reporter.Config(**bad)


def test_run_when_same_input_twice_then_same_output(stream) -> None:
    for i in range(5):
        stream.vote(f"v{i}", "risk.killswitch", stream.intent(f"i{i}", TS + i), TS + 3 * i)
        stream.signal(f"s{i}", TS + 7_000 * i, token=str(i % 2))
    frame = stream.frame()
    assert sla_reporter.run(frame, CFG).equals(sla_reporter.run(frame, CFG))
