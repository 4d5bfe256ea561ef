"""gov.pnl_reporter: last row per token, settlement increments, market and total rows."""

from __future__ import annotations

from decimal import Decimal as D

from polytraders.bots.gov import pnl_reporter
from polytraders.contracts.frames import empty_frame

TS = 1_700_000_000_000
DAY = "2023-11-14"
COND = "0x" + "a" * 64
COND_B = "0x" + "b" * 64
CFG = pnl_reporter.Config()
FIGURES = ["condition_id", "token_count", "realised_pnl_usdc", "unrealised_pnl_usdc", "settlement_pnl_usdc",
           "total_pnl_usdc", "ts_ms"]  # fmt: skip


def test_run_when_positions_then_last_row_per_token_and_settlement_increment(stream) -> None:
    # market A, token 1: buy, a sell realises 0.25, then settlement (payout 1) brings realised to 3.25
    stream.position("a1-fill", TS, token="1", size="10", realised="0", unrealised="0.5")
    stream.position("a1-sell", TS + 10, token="1", size="5", realised="0.25", unrealised="0.3")
    stream.position("a1-settle", TS + 20, token="1", size="0", realised="3.25", unrealised="0", settled=True, mark="1")
    # market A, token 2: open at the end of the day, marked
    stream.position("a2-fill", TS + 5, token="2", size="4", realised="0", unrealised="-0.1")
    stream.position("a2-final", TS + 30, token="2", size="4", realised="0", unrealised="-0.123456")
    # market B, token 3: settled at payout 0 without earlier rows in the day's stream
    stream.position("b3-settle", TS + 25, token="3", cond=COND_B, size="0", realised="-1.2", settled=True, mark="0")

    out = pnl_reporter.run(stream.frame(), CFG)

    assert out.select(FIGURES).rows() == [
        # A: realised 3.25 + 0 = 3.25; unrealised 0 + (-0.123456); settlement 3.25 - 0.25 = 3.00 (token 1 only);
        #    total 3.25 - 0.123456 = 3.126544
        (COND, 2, D("3.25"), D("-0.123456"), D("3"), D("3.126544"), TS + 30),
        # B: settlement = realised -1.2 - 0 (no previous row)
        (COND_B, 1, D("-1.2"), D("0"), D("-1.2"), D("-1.2"), TS + 25),
        # total: realised 3.25 - 1.2 = 2.05; unrealised -0.123456; settlement 3 - 1.2 = 1.8; total 1.926544
        (None, 3, D("2.05"), D("-0.123456"), D("1.8"), D("1.926544"), TS + 30),
    ]
    assert set(out["bot"]) == {"strat.maker_tight"} and set(out["partition"]) == {DAY}
    assert out["reason_codes"].to_list() == [[], [], []]


def test_run_when_two_bots_and_days_then_rows_per_bot_and_day(stream) -> None:
    stream.position("x", TS, realised="1", bot="strat.maker_tight")
    stream.position("y", TS, realised="2", bot="strat.maker_penny_jump")
    stream.position("z", TS, realised="4", bot="strat.maker_tight", partition="2023-11-15")

    out = pnl_reporter.run(stream.frame(), CFG)

    assert out.select("bot", "partition", "condition_id", "realised_pnl_usdc").rows() == [
        ("strat.maker_penny_jump", DAY, COND, D("2")), ("strat.maker_penny_jump", DAY, None, D("2")),
        ("strat.maker_tight", DAY, COND, D("1")), ("strat.maker_tight", DAY, None, D("1")),
        ("strat.maker_tight", "2023-11-15", COND, D("4")), ("strat.maker_tight", "2023-11-15", None, D("4")),
    ]  # fmt: skip


def test_run_when_open_position_has_no_mark_then_unmarked_on_market_and_total(stream) -> None:
    stream.position("a", TS, token="1", size="3", unrealised="0", mark=None)
    stream.position("b", TS, token="9", cond=COND_B, size="0", realised="0.5", mark=None)  # flat: no mark needed

    out = pnl_reporter.run(stream.frame(), CFG)

    assert out.select("condition_id", "reason_codes").rows() == [
        (COND, ["GOV_PNL_UNMARKED"]), (COND_B, []), (None, ["GOV_PNL_UNMARKED"]),
    ]  # fmt: skip


def test_run_when_equal_ts_then_stream_order_decides_the_last_row(stream) -> None:
    stream.position("fill", TS, size="2", realised="0.1")
    stream.position("settle", TS, size="0", realised="0.9", settled=True, mark="1")  # same ms, written after

    out = pnl_reporter.run(stream.frame(), CFG)

    assert out.select("realised_pnl_usdc", "settlement_pnl_usdc").rows()[0] == (D("0.9"), D("0.8"))


def test_run_when_no_position_envelopes_then_typed_empty(stream) -> None:
    assert pnl_reporter.run(empty_frame("ReportEnvelope"), CFG).equals(empty_frame("PnlRecord"))
    stream.intent("i", TS)
    assert pnl_reporter.run(stream.frame(), CFG).equals(empty_frame("PnlRecord"))


def test_run_when_same_input_twice_then_same_output(stream) -> None:
    for n in range(4):
        stream.position(f"p{n}", TS + n, token=str(n % 2), realised=f"0.{n}")
    frame = stream.frame()
    assert pnl_reporter.run(frame, CFG).equals(pnl_reporter.run(frame, CFG))
