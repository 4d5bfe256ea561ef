"""intel.markout_toxicity: hand-checked markouts and EWMAs, horizons, pending fills, mids, schema."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import markout_toxicity as bot
from polytraders_tests.bots.frames import T0, TOKEN_ID, condition, tops, trades

#: mid 0.50 from 0, 0.52 from 20 s, last top at 70 s (mid 0.48); tick 0.01.
BOOK = tops(("yes", 0, "0.49", "0.51"), ("yes", 20_000, "0.51", "0.53"), ("yes", 70_000, "0.47", "0.49"))


def run(prints: pl.DataFrame, config: bot.Config, book: pl.DataFrame = BOOK) -> pl.DataFrame:
    """The bot over ``prints`` and ``book``."""
    return bot.run(MarketData.of(trades=prints, tops=book), config)


def values(out: pl.DataFrame, name: str, token: str = "yes") -> list[tuple[int, float]]:
    """(dt, value) of ``token``'s rows called ``name``."""
    mine = out.filter((pl.col("name") == name) & (pl.col("token_id") == TOKEN_ID[token]))
    return [(ts - T0, v) for ts, v in mine.select("ts_ms", "value").rows()]


def test_run_when_passive_sell_and_mid_rises_then_positive_adverse_markout() -> None:
    # BUY print at 5 s, 0.51: our resting SELL filled at 0.51
    # 30 s: t + h = 35 s -> mid 0.52 (top at 20 s): (0.52 − 0.51) / 0.01 = +1 (adverse), stamped at 35 s
    # 60 s: 65 s -> mid 0.52: +1, stamped at 65 s
    out = run(trades(("yes", 5_000, "0.51", "10", "BUY")), bot.Config())
    assert values(out, "markout_30s") == [(35_000, 1.0)]
    assert values(out, "markout_60s") == [(65_000, 1.0)]


def test_run_when_passive_buy_and_mid_rises_then_negative_favourable_markout() -> None:
    # SELL print at 8 s, 0.49: our resting BUY at 0.49; mid 0.52 at 38 s and 68 s: (0.49 − 0.52) / 0.01 = −3
    out = run(trades(("yes", 8_000, "0.49", "10", "SELL")), bot.Config())
    assert values(out, "markout_30s") == [(38_000, -3.0)]
    assert values(out, "markout_60s") == [(68_000, -3.0)]


def test_run_when_several_fills_then_ewma_over_fills() -> None:
    # half-life 1 fill: α = 1 − 2^(−1) = 0.5
    # markouts (30 s): +1 (fill at 5 s), −3 (fill at 8 s) -> EWMA 1, then 0.5·1 + 0.5·(−3) = −1
    # a third fill: SELL print at 45 s, 0.53 (passive BUY): 75 s > last top 70 s -> 30 s is 75 s: pending;
    #   so only two 30 s rows and two 60 s rows (45 + 60 = 105 s pending too)
    prints = trades(("yes", 5_000, "0.51", "10", "BUY"), ("yes", 8_000, "0.49", "10", "SELL"),
                    ("yes", 45_000, "0.53", "1", "SELL"))
    out = run(prints, bot.Config(half_life_fills=1))
    assert values(out, "markout_30s") == [(35_000, 1.0), (38_000, -1.0)]
    assert values(out, "markout_60s") == [(65_000, 1.0), (68_000, -1.0)]


def test_run_when_half_life_two_fills_then_alpha_one_minus_root_half() -> None:
    # α = 1 − 2^(−1/2) = 0.292893…; EWMA = 1 + α·(−3 − 1) = 1 − 4α = −0.171572…
    prints = trades(("yes", 5_000, "0.51", "10", "BUY"), ("yes", 8_000, "0.49", "10", "SELL"))
    alpha = 1 - 2 ** -0.5
    out = run(prints, bot.Config(half_life_fills=2))
    assert values(out, "markout_30s") == [(35_000, 1.0), (38_000, pytest.approx(1 - 4 * alpha, abs=1e-12))]


def test_run_when_horizon_passes_last_top_then_no_row_for_that_horizon() -> None:
    # INTEL_MARKOUT_PENDING: fill at 20 s: 30 s -> 50 s ≤ 70 s: row (mid 0.52, BUY print at 0.53 ->
    # passive SELL: (0.52 − 0.53) / 0.01 = −1); 60 s -> 80 s > last top 70 s: no row
    out = run(trades(("yes", 20_000, "0.53", "10", "BUY")), bot.Config())
    assert values(out, "markout_30s") == [(50_000, -1.0)]
    assert values(out, "markout_60s") == []


def test_run_when_horizon_lands_on_a_top_then_that_top_is_used_and_not_pending() -> None:
    # fill at 10 s, horizon 60 s -> 70 s = the last top (mid 0.48), inclusive both ways
    # BUY print 0.51 -> passive SELL: (0.48 − 0.51) / 0.01 = −3
    out = run(trades(("yes", 10_000, "0.51", "10", "BUY")), bot.Config())
    assert values(out, "markout_60s") == [(70_000, -3.0)]


def test_run_when_top_one_sided_at_horizon_then_last_two_sided_mid() -> None:
    # a one-sided top at 30 s (no mid) before t + h = 35 s: mid stays 0.52 (top at 20 s)
    book = tops(("yes", 0, "0.49", "0.51"), ("yes", 20_000, "0.51", "0.53"), ("yes", 30_000, "0.51", None),
                ("yes", 70_000, "0.47", "0.49"))
    out = run(trades(("yes", 5_000, "0.51", "10", "BUY")), bot.Config(horizons_ms=(30_000,)), book)
    assert values(out, "markout_30s") == [(35_000, 1.0)]


def test_run_when_no_two_sided_top_before_horizon_then_fill_not_measured() -> None:
    # INTEL_NO_FILLS: fill at 0, first top at 50 s: 30 s -> 30 s has no mid (no row, not in the EWMA);
    # 60 s -> 60 s: mid 0.50 of the top at 50 s: BUY print 0.51 -> (0.50 − 0.51) / 0.01 = −1
    book = tops(("yes", 50_000, "0.49", "0.51"), ("yes", 90_000, "0.49", "0.51"))
    out = run(trades(("yes", 0, "0.51", "10", "BUY")), bot.Config(), book)
    assert values(out, "markout_30s") == []
    assert values(out, "markout_60s") == [(60_000, -1.0)]


def test_run_when_token_has_no_tops_then_all_pending() -> None:
    # INTEL_MARKOUT_PENDING: no top of the token at all
    assert run(trades(("yes", 0, "0.51", "10", "BUY")), bot.Config(), tops()).height == 0


def test_run_when_fills_share_a_millisecond_then_one_row_after_the_last() -> None:
    # two prints at 5 s: BUY 0.51 (+1) then SELL 0.49 (−3), half-life 1 fill: EWMA 1, then −1; one row
    prints = trades(("yes", 5_000, "0.51", "10", "BUY"), ("yes", 5_000, "0.49", "10", "SELL"))
    out = run(prints, bot.Config(half_life_fills=1, horizons_ms=(30_000,)))
    assert values(out, "markout_30s") == [(35_000, -1.0)]


def test_run_when_tick_size_finer_at_horizon_then_markout_in_that_tick() -> None:
    # top at 20 s: bid 0.515 / ask 0.517, tick 0.001 -> mid 0.516; BUY print 0.51 at 5 s:
    # (0.516 − 0.51) / 0.001 = 6 ticks
    book = tops(("yes", 0, "0.49", "0.51"), ("yes", 20_000, "0.515", "0.517", "0.001"),
                ("yes", 70_000, "0.515", "0.517", "0.001"))
    out = run(trades(("yes", 5_000, "0.51", "10", "BUY")), bot.Config(horizons_ms=(30_000,)), book)
    assert values(out, "markout_30s") == [(35_000, pytest.approx(6.0, abs=1e-12))]


def test_run_when_custom_horizons_then_names_in_seconds_or_ms() -> None:
    # 500 ms -> markout_500ms, 2 s -> markout_2s; fill at 5 s: mid 0.50 at 5.5 s and 7 s:
    # BUY print at 0.51 -> (0.50 − 0.51) / 0.01 = −1; rows sorted by time then horizon
    assert bot.reading_name(500) == "markout_500ms"
    assert bot.reading_name(2_000) == "markout_2s"
    out = run(trades(("yes", 5_000, "0.51", "10", "BUY")), bot.Config(horizons_ms=(2_000, 500)))
    assert out.select("ts_ms", "name", "value").rows() == [(T0 + 5_500, "markout_500ms", -1.0),
                                                            (T0 + 7_000, "markout_2s", -1.0)]


def test_run_when_default_config_then_30s_and_60s_readings() -> None:
    config = bot.Config()
    assert (config.horizons_ms, config.half_life_fills) == ((30_000, 60_000), 20.0)


def test_run_when_no_trades_then_typed_empty_frame() -> None:
    # the real fixture days have no prints: INTEL_NO_FILLS for every token, no error
    out = run(trades(), bot.Config())
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert bot.run(MarketData.of(), bot.Config()).schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_two_tokens_then_contract_columns_and_separate_ewmas() -> None:
    # yes: BUY 0.51 at 5 s -> +1 at 35 s; no: its own book (mid 0.40 throughout), SELL 0.41 at 1 s ->
    # passive BUY: (0.41 − 0.40) / 0.01 = +1 at 31 s; a second no fill SELL 0.38 at 2 s -> −2; EWMA(h=1) −0.5
    book = pl.concat([BOOK, tops(("no", 0, "0.39", "0.41"), ("no", 70_000, "0.39", "0.41"))])
    prints = trades(("yes", 5_000, "0.51", "10", "BUY"), ("no", 1_000, "0.41", "5", "SELL"),
                    ("no", 2_000, "0.38", "5", "SELL"))
    out = run(prints, bot.Config(horizons_ms=(30_000,), half_life_fills=1), book)
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert values(out, "markout_30s", "yes") == [(35_000, 1.0)]
    assert values(out, "markout_30s", "no") == [(31_000, 1.0), (32_000, -0.5)]
    first, second = sorted(("yes", "no"), key=lambda tok: TOKEN_ID[tok])
    assert out.drop("value", "ts_ms").rows()[0] == (
        "intel.markout_toxicity", condition(first), TOKEN_ID[first], "markout_30s", "ticks")
    assert out["token_id"].to_list() == [TOKEN_ID[t] for t in (first, second)
                                         for _ in range(1 if t == "yes" else 2)]


def test_run_when_same_input_twice_or_shuffled_then_same_output() -> None:
    rows = [("yes", dt, "0.51" if dt % 3 else "0.49", "5", "BUY" if dt % 2 else "SELL") for dt in range(0, 60_000, 900)]
    config = bot.Config(half_life_fills=3)
    first = run(trades(*rows), config)
    assert first.height > 0
    assert first.equals(run(trades(*rows), config))
    assert first.equals(run(trades(*reversed(rows)), config))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"horizons_ms": ()}, "horizons_ms"),
        ({"horizons_ms": (0, 30_000)}, "horizons_ms"),
        ({"horizons_ms": (30_000, 30_000)}, "horizons_ms"),
        ({"half_life_fills": 0}, "half_life_fills"),
    ],
)
def test_config_when_invalid_then_validation_error(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        bot.Config(**kwargs)
