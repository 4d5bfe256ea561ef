"""Every intel and disc bot of the shadow profile runs on the real fixture days.

The day's normalised frames come from the stage functions (S1 registry, S2 ingest, S3 book state
and top of book), exactly what the Dagster assets hand the bots. Each output must validate
against its wire object's generated schema, name the bot, stay inside the day's tokens and
times, and (disc) account for every market once. The universe day (12,976 markets, top of book
only) is the slow variant.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from polytraders.bots.inputs import MarketData
from polytraders.contracts.frames import validate_frame
from polytraders.runtime import stages
from polytraders.runtime.profile import DISCOVERY_BOTS, SHADOW, SIGNAL_BOTS, bot_module

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
BUNDLED_DAY = "2026-09-28"
UNIVERSE_DAY = "2026-08-12"
# The universe day needs 6-8 GB: on the one worker of the other universe-day tests, never beside them.
DAYS = [BUNDLED_DAY, pytest.param(UNIVERSE_DAY, marks=[pytest.mark.slow, pytest.mark.xdist_group("universe-day")])]


def _market_data(day: str) -> MarketData:
    day_dir = FIXTURES / day
    if not day_dir.is_dir():
        pytest.skip(f"fixture day {day} is not in this checkout")
    instruments, _ = stages.registry(day_dir)
    got = stages.ingest(day_dir, instruments)
    books = stages.book_state(got.book_snapshots, got.book_deltas)
    return MarketData(instruments=instruments, books=books, tops=stages.market_snapshots(got), trades=got.trades,
                      resolutions=got.resolutions)


@pytest.fixture(scope="module", params=DAYS)
def day_data(request: pytest.FixtureRequest) -> tuple[str, MarketData]:
    return request.param, _market_data(request.param)


def _tokens(data: MarketData) -> set[str]:
    return set(data.instruments.select(pl.col("tokens").explode().struct.field("token_id"))["token_id"])


@pytest.mark.parametrize("slug", SIGNAL_BOTS)
def test_intel_bot_when_run_on_a_real_day_then_valid_signals_of_the_days_tokens(
    slug: str, day_data: tuple[str, MarketData]
) -> None:
    day, data = day_data
    signals = bot_module(slug).run(data, SHADOW.config(slug))
    validate_frame("Signal", signals)
    assert set(signals["bot"].unique()) <= {slug}
    assert set(signals["token_id"].unique()) <= _tokens(data)
    start = stages.day_start_ms(day)
    assert signals.is_empty() or start <= signals["ts_ms"].min() <= signals["ts_ms"].max() < start + 2 * 86_400_000


@pytest.mark.parametrize("slug", DISCOVERY_BOTS)
def test_disc_bot_when_run_on_a_real_day_then_every_market_admitted_or_excluded_once(
    slug: str, day_data: tuple[str, MarketData]
) -> None:
    _, data = day_data
    result = bot_module(slug).run(data, SHADOW.config(slug))
    validate_frame("Candidate", result.candidates)
    considered = result.candidates["condition_id"].to_list() + result.excluded["condition_id"].to_list()
    assert len(considered) == len(set(considered))
    assert set(considered) <= set(data.instruments["condition_id"])
    assert result.candidates["rank"].to_list() == list(range(1, result.candidates.height + 1))
