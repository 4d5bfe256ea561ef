"""Risk in shadow against history: re-run the risk pipeline over the intents shadow runs recorded.

The event store holds every strategy's OrderIntents as envelopes; the warehouse (DuckDB) holds each
day's stage tables. :func:`replay` takes the intents of the last N recorded fixture days, rebuilds
each day's market inputs from the warehouse, runs the declared risk order of a profile (which may
differ from the one the run used: a new bot, another config, a quarantined market) and
:func:`summary` counts, per bot and reason code, what it would have rejected or reduced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from polytraders.adapters.budgets import DEFAULT_BUDGETS, FreshnessBudgets
from polytraders.contracts.frames import polars_schema
from polytraders.runtime import trading
from polytraders.runtime.event_store import read_envelopes, snapshot_path
from polytraders.runtime.profile import Profile
from polytraders.runtime.risk_context import MarketInputs
from polytraders.runtime.risk_gate import STRATEGIES, GateResult

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

#: Stage tables the gate reads, by MarketInputs field, with their wire object (None: no contract).
TABLES = {
    "instruments": ("instruments", "InstrumentRecord"),
    "market_snapshots": ("market_snapshots", "MarketSnapshot"),
    "resolutions": ("resolutions", "MarketResolution"),
    "token_states": ("token_states", "TokenState"),
    "book_state": ("book_state", "OrderBookSnapshot"),
    "feed_receipts": ("feed_receipts", None),
    "feed_health": ("feed_health", "FeedHealth"),
    "fair_values": ("fair_values", "FairValue"),
}


def _current(frame: pl.DataFrame, wire_object: str | None) -> pl.DataFrame:
    """A stored frame in its wire object's current form: a field added since the partition was
    written (a new minor schema version, optional) comes back as nulls."""
    if wire_object is None:
        return frame
    schema = polars_schema(wire_object)
    return frame.with_columns(pl.lit(None, dtype).alias(c) for c, dtype in schema.items() if c not in frame.columns)


def recorded_days(event_store_root: Path) -> list[str]:
    """Fixture days with an exported envelope snapshot, oldest first."""
    parquet = event_store_root / "parquet"
    days = [p.name.removeprefix("partition_day=") for p in parquet.glob("partition_day=*")] if parquet.is_dir() else []
    return sorted(d for d in days if _DAY.fullmatch(d) and snapshot_path(event_store_root, d).is_file())


def strategy_intents(envelopes: pl.DataFrame) -> pl.DataFrame:
    """The OrderIntent frame of the strat.* OrderIntent envelopes among ``envelopes`` (a frame with
    ``bot``, ``payload_type`` and ``payload`` JSON text), in their order; empty when there are none."""
    mine = envelopes.filter((pl.col("payload_type") == "OrderIntent") & pl.col("bot").is_in(STRATEGIES))
    schema = polars_schema("OrderIntent")
    decoded = mine.select(pl.col("payload").str.json_decode(pl.Struct(
        {c: (pl.String if dtype == pl.Decimal(38, 6) else dtype) for c, dtype in schema.items()}))).unnest("payload")
    return decoded.cast(dict(schema)).select(schema.names()) if decoded.width else pl.DataFrame(schema=schema)


def recorded_intents(event_store_root: Path, day: str) -> pl.DataFrame:
    """:func:`strategy_intents` of ``day``'s envelope snapshot.

    Raises FileNotFoundError if ``day`` has no export, ValueError if it is unreadable.
    """
    return strategy_intents(read_envelopes(event_store_root, day))


def warehouse_inputs(duckdb_path: Path, schema: str, day: str,
                     budgets: FreshnessBudgets = DEFAULT_BUDGETS) -> MarketInputs:
    """``day``'s market inputs from the warehouse's stage tables (read-only).

    Raises FileNotFoundError if the warehouse file is missing, LookupError if a table lacks the
    day, duckdb.IOException if a writer holds the file.
    """
    if not duckdb_path.is_file():
        raise FileNotFoundError(f"no warehouse at {duckdb_path} (run `polytraders shadow` first)")
    frames: dict[str, pl.DataFrame] = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for field, (table, wire_object) in TABLES.items():
            got = con.execute(f'select * exclude (partition_day) from "{schema}"."{table}" where partition_day = ?',
                              [day]).to_arrow_table()
            frames[field] = _current(pl.from_arrow(got), wire_object)
    if frames["market_snapshots"].is_empty():
        raise LookupError(f"the warehouse has no market snapshots for {day}")
    return MarketInputs(**frames, budgets=budgets)


@dataclass(frozen=True, slots=True)
class Replay:
    """One day's replay: the day, its recorded intents and the gate's result."""

    day: str
    intents: pl.DataFrame
    result: GateResult


def replay(days: list[str], profile: Profile, event_store_root: Path, duckdb_path: Path, schema: str,
           budgets: FreshnessBudgets = DEFAULT_BUDGETS) -> list[Replay]:
    """Run ``profile``'s risk order over the recorded intents of each of ``days``."""
    out = []
    for day in days:
        intents = recorded_intents(event_store_root, day)
        inputs = warehouse_inputs(duckdb_path, schema, day, budgets)
        out.append(Replay(day, intents, trading.risk_gate(intents, inputs, profile)))
    return out


def day_counts(rep: Replay) -> dict[str, int | str]:
    """One replayed day's figures: intents, PLACE / CANCEL, PLACEs passed (APPROVE or REDUCE), of
    which reduced, and rejected."""
    decided = rep.result.decisions.join(rep.intents.select("intent_id", "kind"), on="intent_id")
    places = decided.filter(pl.col("kind") == "PLACE")
    count = {d: int((places["decision"] == d).sum()) for d in ("APPROVE", "REDUCE", "REJECT")}
    return {"day": rep.day, "intents": decided.height, "place": places.height,
            "cancel": decided.height - places.height, "passed": count["APPROVE"] + count["REDUCE"],
            "reduced": count["REDUCE"], "rejected": count["REJECT"]}


def summary(replays: list[Replay]) -> pl.DataFrame:
    """Per bot, decision and reason codes: intents over all replayed days.

    Columns: ``bot`` String, ``decision`` String, ``reason_code`` String (a vote's codes joined by
    ``+``, e.g. ``RISK_EXPOSURE+RISK_QUARANTINED`` for a quarantined market, null on APPROVE),
    ``intents`` Int64; sorted by the bot's declared position, decision, reason code. Every bot
    that voted has an ``APPROVE`` row with the intents it let through at full size.
    """
    rows = []
    for rep in replays:
        for slug, votes in rep.result.votes.items():
            rows.append(votes.select(
                pl.lit(slug).alias("bot"), "decision",
                pl.when(pl.col("reason_codes").list.len() > 0).then(pl.col("reason_codes").list.join("+"))
                .alias("reason_code")))
    if not rows:
        return pl.DataFrame(schema={"bot": pl.String, "decision": pl.String, "reason_code": pl.String,
                                    "intents": pl.Int64})
    order = {slug: k for k, slug in enumerate(replays[0].result.votes)}
    return (pl.concat(rows).group_by("bot", "decision", "reason_code").len("intents")
            .with_columns(pl.col("intents").cast(pl.Int64))
            .sort(pl.col("bot").replace_strict(order, return_dtype=pl.Int64), "decision", "reason_code",
                  nulls_last=False))
