"""gov.heartbeat — liveness of every bot in every run, from the envelope stream's data time.

Method
    For each (``run_id``, ``bot``): first and last envelope ``ts_ms`` and the envelope count.
    The check time ``ts_ms`` is the run's last envelope time (any bot): silence is measured in
    the data's own time, never the clock. ``silence_ms = ts_ms - last_ts_ms``;
    ``alive = silence_ms <= max_silence_ms`` (a bot silent for exactly the budget is alive).
    ``stage`` is the bot's first runtime stage in the manifest (``intel.microprice`` -> S4,
    ``strat.maker_tight`` -> S5, gov bots -> S10); null for a slug the manifest lacks.
    A bot that emitted nothing in a run has no envelope to see, so no row: the stream alone
    cannot tell "never ran" from "not configured".

Inputs
    ``envelopes`` — ReportEnvelope frame; reads ``run_id``, ``bot`` and ``ts_ms`` (extra
    columns such as ``partition_day`` are ignored).

Returns
    Heartbeat frame, validated against its generated schema, sorted by run_id, stage number
    (unknown last), bot; typed and empty for an empty stream.

Reason codes
    GOV_HEARTBEAT_MISSED on every row with ``alive`` false.

Raises
    pydantic.ValidationError — invalid config (``max_silence_ms`` < 0).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots import manifest
from polytraders.bots.base import BotConfig
from polytraders.bots.gov.stream import envelope_rows
from polytraders.contracts.frames import polars_schema, validate_frame
from polytraders.contracts.reason_codes import require

SLUG = "gov.heartbeat"
VERSION = "0.1.0"
OUTPUT = "Heartbeat"
MISSED = require("GOV_HEARTBEAT_MISSED")

#: bot slug -> its first stage in the manifest.
STAGE_OF: dict[str, str] = {spec.slug: spec.stages[0] for spec in manifest.BOTS}


class Config(BotConfig):
    """Parameters of gov.heartbeat."""

    max_silence_ms: int = Field(
        default=60_000, ge=0,
        description="longest time a bot may go without an envelope before the run's last envelope and "
        "still count as alive, milliseconds (data time)",
    )  # fmt: skip


def run(envelopes: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Liveness rows of ``envelopes``; see the module docstring."""
    rows = envelope_rows(envelopes)
    per_bot = rows.group_by("run_id", "bot").agg(
        pl.col("ts_ms").min().alias("first_ts_ms"),
        pl.col("ts_ms").max().alias("last_ts_ms"),
        pl.len().cast(pl.Int64).alias("envelope_count"),
    )
    run_end = rows.group_by("run_id").agg(pl.col("ts_ms").max())
    silence = pl.col("ts_ms") - pl.col("last_ts_ms")
    alive = silence <= config.max_silence_ms
    out = (
        per_bot.join(run_end, on="run_id")
        .with_columns(
            pl.col("bot").replace_strict(STAGE_OF, default=None, return_dtype=pl.String).alias("stage"),
            silence.alias("silence_ms"),
            alive.alias("alive"),
            pl.when(alive)
            .then(pl.lit([], dtype=pl.List(pl.String)))
            .otherwise(pl.lit([MISSED], dtype=pl.List(pl.String)))
            .alias("reason_codes"),
        )
        .sort(
            pl.col("run_id"),
            pl.col("stage").str.strip_prefix("S").cast(pl.Int64),
            pl.col("bot"),
            nulls_last=True,
        )
    )
    return validate_frame(OUTPUT, out.select(list(polars_schema(OUTPUT))))
