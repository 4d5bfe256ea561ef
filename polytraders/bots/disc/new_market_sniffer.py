"""disc.new_market_sniffer — markets listed inside the window, admitted once their book has hydrated.

Method
    The window is [W0, W1] (epoch ms): W0 = ``window_start_ms``, by default the earliest
    ``as_of_ms`` of ``instruments`` (the registry's first snapshot: whatever it holds was listed
    already); W1 = ``window_end_ms``, by default the latest time in the inputs (``as_of_ms`` of
    instruments, ``ts_ms`` of tops). For each market (latest instrument record per
    ``condition_id``):

    * listed = ``start_ts_ms`` when the registry has one (Gamma ``startDate``), else the
      market's first ``as_of_ms`` (the first registry record that lists it);
    * first top = the earliest ``ts_ms`` in ``tops`` of any of its tokens (one-sided or not:
      the book exists); admission = max(listed, first top) + ``hydration_ms`` — a fresh
      book fills in over its first moments, so it is not judged on its first snapshot.

    In this order:

    1. not ``active``, not ``accepting_orders`` or ``closed`` → DISC_NOT_ACTIVE;
    2. listed ≤ W0 or listed > W1 (not listed inside the window) → DISC_NOT_NEW;
    3. no top of any of its tokens → DISC_NEW_NO_BOOK (never seen on the feed);
    4. admission > W1 (still hydrating when the window ends) → DISC_HYDRATING;
    5. else a candidate with code DISC_NEW_MARKET, ``ts_ms`` = admission,
       ``score`` = (listed − W0) / (W1 − W0) in (0, 1] (fraction of the window elapsed at
       listing: 1 = listed at its end; the newest ranks first), ``rank`` by score descending,
       ties by ``condition_id``.

    Every market of ``instruments`` is in exactly one of candidates / excluded.

Inputs
    ``data.instruments`` — InstrumentRecord frame: ``condition_id`` String, ``tokens``
    List(Struct{token_id String, outcome String}), ``active`` / ``closed`` / ``accepting_orders``
    Boolean, ``start_ts_ms`` Int64 nullable, ``as_of_ms`` Int64 (every version is read for the
    first ``as_of_ms``). ``data.tops`` — MarketSnapshot frame: ``condition_id`` / ``token_id``
    String, ``ts_ms`` Int64.

Returns
    :class:`~polytraders.bots.inputs.ScanResult` — ``candidates`` (CANDIDATE_SCHEMA; ``ts_ms``
    = admission time, ms; ``score`` Float64 fraction) by rank; ``excluded`` (``condition_id``,
    ``reason_code``) by condition_id. Empty instruments give empty typed frames.

Reason codes
    DISC_NEW_MARKET, DISC_NOT_ACTIVE, DISC_NOT_NEW, DISC_NEW_NO_BOOK, DISC_HYDRATING.

Raises
    pydantic.ValidationError — invalid config (negative ``hydration_ms``, negative window
    bounds, ``window_end_ms`` < ``window_start_ms``).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field, model_validator

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, ScanResult, latest_instruments, scan_result
from polytraders.contracts import reason_codes

SLUG = "disc.new_market_sniffer"
VERSION = "0.1.0"

NEW_MARKET = reason_codes.require("DISC_NEW_MARKET")
NOT_ACTIVE = reason_codes.require("DISC_NOT_ACTIVE")
NOT_NEW = reason_codes.require("DISC_NOT_NEW")
NO_BOOK = reason_codes.require("DISC_NEW_NO_BOOK")
HYDRATING = reason_codes.require("DISC_HYDRATING")

INPUTS = ("instruments", "tops")

_ADMITTED = {"condition_id": pl.String, "ts_ms": pl.Int64, "score": pl.Float64}
_EXCLUDED = {"condition_id": pl.String, "reason_code": pl.String}


class Config(BotConfig):
    """Parameters of disc.new_market_sniffer."""

    hydration_ms: int = Field(
        default=60_000, ge=0, description="wait after a market's first top of book before admitting it, ms"
    )
    window_start_ms: int | None = Field(
        default=None, ge=0,
        description="start of the listing window, epoch ms (listed strictly after it is new); "
        "None = the earliest instrument as_of_ms",
    )  # fmt: skip
    window_end_ms: int | None = Field(
        default=None, ge=0,
        description="end of the window, epoch ms; None = the latest instrument as_of_ms or top ts_ms",
    )  # fmt: skip

    @model_validator(mode="after")
    def _window_ordered(self) -> Config:
        start, end = self.window_start_ms, self.window_end_ms
        if start is not None and end is not None and end < start:
            raise ValueError(f"window_end_ms {self.window_end_ms} < window_start_ms {self.window_start_ms}")
        return self


def run(data: MarketData, config: Config) -> ScanResult:
    """Sniff new markets; see the module docstring."""
    if data.instruments.height == 0:
        return scan_result(SLUG, pl.DataFrame(schema=_ADMITTED), NEW_MARKET, pl.DataFrame(schema=_EXCLUDED))
    w0 = config.window_start_ms if config.window_start_ms is not None else data.instruments["as_of_ms"].min()
    w1 = config.window_end_ms
    if w1 is None:
        w1 = max(data.instruments["as_of_ms"].max(), data.tops["ts_ms"].max() or 0)
    first_as_of = data.instruments.group_by("condition_id").agg(pl.col("as_of_ms").min().alias("first_as_of_ms"))
    markets = latest_instruments(data.instruments).join(first_as_of, on="condition_id", how="left")
    tokens = markets.select(
        "condition_id", pl.col("tokens").list.eval(pl.element().struct.field("token_id")).alias("token_id")
    ).explode("token_id")
    # first top per token over the long frame (one pass, no join of it), then per market over its listed tokens
    first_per_token = data.tops.group_by("condition_id", "token_id").agg(pl.col("ts_ms").min())
    first_top = (
        tokens.join(first_per_token, on=["condition_id", "token_id"])
        .group_by("condition_id")
        .agg(pl.col("ts_ms").min().alias("first_top_ms"))
    )
    listed = pl.coalesce("start_ts_ms", "first_as_of_ms")
    admission = pl.max_horizontal(listed, pl.col("first_top_ms")) + config.hydration_ms
    tradable = pl.col("active") & pl.col("accepting_orders") & ~pl.col("closed")
    judged = markets.join(first_top, on="condition_id", how="left").select(
        "condition_id",
        pl.when(~tradable).then(pl.lit(NOT_ACTIVE))
        .when((listed <= w0) | (listed > w1)).then(pl.lit(NOT_NEW))
        .when(pl.col("first_top_ms").is_null()).then(pl.lit(NO_BOOK))
        .when(admission > w1).then(pl.lit(HYDRATING))
        .alias("reason_code"),
        admission.alias("ts_ms"),
        listed.alias("listed_ms"),
    )  # fmt: skip
    admitted = judged.filter(pl.col("reason_code").is_null()).select(
        "condition_id", "ts_ms", ((pl.col("listed_ms") - w0) / (w1 - w0)).alias("score")
    )
    return scan_result(SLUG, admitted, NEW_MARKET, judged.filter(pl.col("reason_code").is_not_null()))
