"""S1-S11 as graph-backed assets: one op per bot (or per stage step), one asset per output.

Every frame is validated against its generated pandera schema before it is returned, then
gets the DATE column ``partition_day`` by which the DuckDB IO manager replaces the partition.
"""


from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl

from polytraders.bots import manifest
from polytraders.bots.readiness import as_tags, bot_facts
from polytraders.contracts.frames import validate_frame
from polytraders.defs import environment, evidence
from polytraders.defs.partitions import PARTITION_COLUMN, fixture_days
from polytraders.defs.resources import AdapterBoundary, AlertSinks, EventStoreResource, FixtureStore, Warehouse
from polytraders.runtime import book_state, feed, monitoring, registry, reports, stages, streams, trading, wallet
from polytraders.runtime.alerts import deliver
from polytraders.runtime.event_store import REJECTED, read_envelopes
from polytraders.runtime.oms import Rails, deployed
from polytraders.runtime.profile import DISCOVERY_BOTS, SHADOW, SIGNAL_BOTS, asset_name, bot_module
from polytraders.runtime.risk_context import MarketInputs

SCHEMA = environment.STAGE_SCHEMA

#: The strategy this shadow profile runs (S6), owner of its intents and positions.
STRATEGY = "strat.maker_tight"
#: S6's execution estimate.
FEE_ESTIMATOR = "exec.fee_slippage_estimator"
#: The S8 bots whose envelopes the run writes: plans, signed orders, refusals, the lifecycle's events.
EXEC_BOTS = tuple(s.slug for c in ("exec", "sec") for s in manifest.by_class()[c])


def bot_tags(slug: str) -> dict[str, str]:
    """Tags that carry a bot's facts into the UI: ``polytraders/<fact>`` for each fact of
    :func:`~polytraders.bots.readiness.bot_facts` (bot, class, phase, capital_impact, modes,
    readiness) — the same facts the dev guide shows, so the two never disagree.

    Readiness is computed at definition-load time from :func:`polytraders.defs.evidence.at_load`
    (the event store's evidence, read once per process; no store → pending). A code-location
    reload in the UI starts a new process and so refreshes it; runs recorded since the last
    reload show on the next one.
    """
    return as_tags(bot_facts(slug, evidence.at_load()))


def asset_ins(*names: str) -> dict[str, dg.AssetIn]:
    """Inputs from stage tables of this schema, by table name."""
    return {name: dg.AssetIn(key=[SCHEMA, name]) for name in names}


def out(wire_object: str, description: str, bot: str | None = None) -> dg.AssetOut:
    """An asset output stored in DuckDB, partitioned by ``partition_day``; a bot's own output
    also carries the bot's facts (:func:`bot_tags`) as definition metadata."""
    return dg.AssetOut(
        key_prefix=[SCHEMA],
        description=description,
        metadata={"partition_expr": PARTITION_COLUMN, "wire_object": wire_object,
                  **(bot_tags(bot) if bot is not None else {})},
        io_manager_key="io_manager",
    )


def stage_frame(context: dg.OpExecutionContext, wire_object: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Validate ``frame`` as ``wire_object`` and add the partition DATE column."""
    validate_frame(wire_object, frame)
    return _with_partition(context, frame)


def delta_frame(context: dg.OpExecutionContext, frame: pl.DataFrame) -> pl.DataFrame:
    """S2's book deltas (an adapter-level object with no published schema): checked against
    :data:`~polytraders.runtime.book_state.DELTA_SCHEMA`, then given the partition column.
    Raises TypeError naming the difference."""
    if frame.schema != book_state.DELTA_SCHEMA:
        raise TypeError(f"book deltas frame schema {frame.schema} != {book_state.DELTA_SCHEMA}")
    return _with_partition(context, frame)


def receipts_frame(context: dg.OpExecutionContext, frame: pl.DataFrame) -> pl.DataFrame:
    """S2's data receipts (an adapter-level table with no published schema): checked against
    :data:`~polytraders.runtime.feed.RECEIPT_SCHEMA`, then given the partition column. Raises
    TypeError naming the difference."""
    if frame.schema != feed.RECEIPT_SCHEMA:
        raise TypeError(f"feed receipts frame schema {frame.schema} != {feed.RECEIPT_SCHEMA}")
    return _with_partition(context, frame)


def _with_partition(context: dg.OpExecutionContext, frame: pl.DataFrame) -> pl.DataFrame:
    day = date.fromisoformat(context.partition_key)
    return frame.with_columns(pl.lit(day, dtype=pl.Date).alias(PARTITION_COLUMN))


def schema_ok(wire_object: str, frame: pl.DataFrame) -> bool:
    """True if ``frame`` passes the generated schema of ``wire_object``."""
    try:
        validate_frame(wire_object, frame)
    except Exception:  # noqa: BLE001 - any validation error counts as one schema failure
        return False
    return True


def loaded(frame: pl.DataFrame) -> pl.DataFrame:
    """An input as loaded from DuckDB, without the partition column."""
    return frame.drop(PARTITION_COLUMN, strict=False)


# --- S1 registry ------------------------------------------------------------------------------


@dg.op(out={"instruments": dg.Out(), "registry_quarantine": dg.Out()})
def load_registry(context: dg.OpExecutionContext, fixtures: FixtureStore, event_store: EventStoreResource,
                  adapter: AdapterBoundary):
    """S1: InstrumentRecords from the day's market metadata."""
    instruments, quarantine = stages.registry(fixtures.day_dir(context.partition_key))
    streams.emit_quarantine(event_store.emitter(context), quarantine, adapter.budgets())
    return (stage_frame(context, "InstrumentRecord", instruments),
            stage_frame(context, "QuarantineRecord", quarantine))


@dg.graph_multi_asset(
    outs={
        "instruments": out("InstrumentRecord", "S1: the instrument registry (markets and tokens)."),
        "registry_quarantine": out("QuarantineRecord", "S1: market metadata that could not be normalised."),
    },
    partitions_def=fixture_days,
    group_name="s1_registry",
)
def s1_registry():
    instruments, quarantine = load_registry()
    return {"instruments": instruments, "registry_quarantine": quarantine}


# --- S2 ingestion -----------------------------------------------------------------------------


@dg.op(out={n: dg.Out() for n in ("book_snapshots", "book_deltas", "market_snapshots", "trades", "resolutions",
                                   "ingest_quarantine", "feed_health", "feed_receipts", "tick_size_changes")})
def ingest_capture(context: dg.OpExecutionContext, fixtures: FixtureStore, event_store: EventStoreResource,
                   adapter: AdapterBoundary, instruments: pl.DataFrame):
    """S2: normalise every captured frame against the run's freshness budgets; what does not
    normalise is quarantined; each channel's liveness per minute (keep-alives apart) goes on the
    stream as FeedHealth."""
    budgets = adapter.budgets()
    got = stages.ingest(fixtures.day_dir(context.partition_key), loaded(instruments), budgets)
    emitter = event_store.emitter(context)
    streams.emit_quarantine(emitter, got.quarantine, budgets)
    streams.emit_feed_health(emitter, got.feed_health, budgets)
    context.add_output_metadata({"frames_in": got.frames_in, "keepalives": got.keepalives},
                                output_name="book_snapshots")
    context.add_output_metadata({"windows_dead": int((~got.feed_health["live"]).sum()),
                                 "longest_data_gap_ms": int(got.feed_health["longest_data_gap_ms"].max() or 0)},
                                output_name="feed_health")
    return (
        stage_frame(context, "OrderBookSnapshot", got.book_snapshots),
        delta_frame(context, got.book_deltas),
        stage_frame(context, "MarketSnapshot", stages.market_snapshots(got)),
        stage_frame(context, "TradePrint", got.trades),
        stage_frame(context, "MarketResolution", got.resolutions),
        stage_frame(context, "QuarantineRecord", got.quarantine),
        stage_frame(context, "FeedHealth", got.feed_health),
        receipts_frame(context, got.feed_receipts),
        stage_frame(context, "TickSizeChange", got.tick_changes),
    )


@dg.graph_multi_asset(
    outs={
        "book_snapshots": out("OrderBookSnapshot", "S2: normalised order books, levels best-first."),
        "book_deltas": out("BookDelta", "S2: price_change level updates (size = new level total, 0 deletes)."),
        "market_snapshots": out("MarketSnapshot", "S2: top of book of every normalised book and every "
                                "best_bid_ask event, by token then time."),
        "trades": out("TradePrint", "S2: last-trade prints."),
        "resolutions": out("MarketResolution", "S2: market resolutions seen on the feed."),
        "ingest_quarantine": out("QuarantineRecord", "S2: frames that could not be normalised."),
        "feed_health": out("FeedHealth", "S2: per channel and minute, data frames, keep-alives, quarantined "
                           "frames, the longest data gap and whether the feed was live."),
        "feed_receipts": out("DataReceipt", "S2: receive times of data frames per channel (feed liveness at S7)."),
        "tick_size_changes": out("TickSizeChange", "S2: tick-size changes seen on the feed, one per token."),
    },
    ins=asset_ins("instruments"),
    partitions_def=fixture_days,
    group_name="s2_ingestion",
)
def s2_ingestion(instruments):
    books, deltas, market, trades, resolutions, quarantine, health, receipts, ticks = ingest_capture(instruments)
    return {
        "book_snapshots": books, "book_deltas": deltas, "market_snapshots": market, "trades": trades,
        "resolutions": resolutions, "ingest_quarantine": quarantine, "feed_health": health,
        "feed_receipts": receipts, "tick_size_changes": ticks,
    }


@dg.asset(
    key_prefix=[SCHEMA], partitions_def=fixture_days, group_name="s1_registry",
    metadata={"partition_expr": PARTITION_COLUMN, "wire_object": "TokenState"},
    ins=asset_ins("instruments", "tick_size_changes", "resolutions"),
)
def token_states(context: dg.AssetExecutionContext, fixtures: FixtureStore, event_store: EventStoreResource,
                 adapter: AdapterBoundary, instruments: pl.DataFrame, tick_size_changes: pl.DataFrame,
                 resolutions: pl.DataFrame) -> pl.DataFrame:
    """S1 following the stream: each token's registry state (tick size, status) as of each change,
    folded from the metadata and S2's tick-size changes and resolutions; on the stream as TokenState,
    stale metadata refreshes as quarantine (GOV_DQ_STALE_METADATA)."""
    got = registry.token_states(loaded(instruments), loaded(tick_size_changes), loaded(resolutions),
                                registry.metadata_hash(fixtures.day_dir(context.partition_key)))
    budgets = adapter.budgets()
    emitter = event_store.emitter(context)
    streams.emit_token_states(emitter, got.states, budgets)
    streams.emit_quarantine(emitter, got.quarantine, budgets)
    context.add_output_metadata({"tokens": got.states["token_id"].n_unique(), "stale_metadata": got.quarantine.height,
                                 "by_source": dict(got.states.group_by("source").len().iter_rows())})
    return stage_frame(context, "TokenState", got.states)


# --- S3 state ---------------------------------------------------------------------------------


@dg.op
def reconstruct_books(context: dg.OpExecutionContext, event_store: EventStoreResource, adapter: AdapterBoundary,
                      book_snapshots: pl.DataFrame, book_deltas: pl.DataFrame) -> pl.DataFrame:
    """S3: books per token over time (snapshots + deltas, checked against the next snapshot,
    resynced on a mismatch), one row per change; mismatches go on the stream as quarantine."""
    rebuilt = book_state.reconstruct(loaded(book_snapshots), loaded(book_deltas))
    streams.emit_quarantine(event_store.emitter(context), rebuilt.quarantine, adapter.budgets())
    context.add_output_metadata({"deltas_applied": rebuilt.deltas_applied,
                                 "deltas_unchanged": rebuilt.deltas_unchanged,
                                 "quarantined": rebuilt.quarantine.height})
    return stage_frame(context, "OrderBookSnapshot", rebuilt.books)



@dg.graph_asset(
    name="book_state", key_prefix=[SCHEMA], partitions_def=fixture_days, group_name="s3_state",
    metadata={"partition_expr": PARTITION_COLUMN, "wire_object": "OrderBookSnapshot"},
    description="S3: each token's book, one row per change.",
    ins=asset_ins("book_snapshots", "book_deltas"),
)
def book_state_asset(book_snapshots, book_deltas):
    return reconstruct_books(book_snapshots, book_deltas)


# --- S4 signals, S5 fair value, S6 strategy -----------------------------------------------------


@dg.asset(
    key_prefix=[SCHEMA], partitions_def=fixture_days, group_name="s5_fair_value",
    metadata={"partition_expr": PARTITION_COLUMN, "wire_object": "FairValue"},
    ins=asset_ins("intel_microprice"),
)
def fair_values(context: dg.AssetExecutionContext, intel_microprice: pl.DataFrame) -> pl.DataFrame:
    """S5: fair value per token = its microprice."""
    return stage_frame(context, "FairValue", stages.fair_values(loaded(intel_microprice), "intel.microprice"))


@dg.op(tags=bot_tags("strat.maker_tight"))
def strat_maker_tight(context: dg.OpExecutionContext, event_store: EventStoreResource, fair_values: pl.DataFrame,
                      market_snapshots: pl.DataFrame, instruments: pl.DataFrame) -> pl.DataFrame:
    """strat.maker_tight: quotes one tick inside fair value."""
    bot = bot_module("strat.maker_tight")
    intents = bot.run(loaded(fair_values), loaded(market_snapshots), loaded(instruments), SHADOW.config(bot.SLUG))
    streams.emit_bot(event_store.emitter(context), SHADOW, bot.SLUG, "OrderIntent", intents,
                     reason_codes=streams.INTENT_REASONS)
    return stage_frame(context, "OrderIntent", intents)


@dg.op(tags=bot_tags(FEE_ESTIMATOR), out={"execution_estimates": dg.Out()})
def estimate_execution(context: dg.OpExecutionContext, event_store: EventStoreResource, intents: pl.DataFrame,
                       instruments: pl.DataFrame, book_state: pl.DataFrame) -> pl.DataFrame:
    """S6: exec.fee_slippage_estimator: each PLACE intent's venue fee and sweep slippage through the
    book as of its time (makers pay no fee); intents it cannot estimate are counted by reason code."""
    bot = bot_module(FEE_ESTIMATOR)
    got = bot.estimate(loaded(intents), loaded(instruments), loaded(book_state), SHADOW.config(FEE_ESTIMATOR))
    streams.emit_bot(event_store.emitter(context), SHADOW, FEE_ESTIMATOR, "ExecutionEstimate", got.estimates)
    context.add_output_metadata(
        {"unfillable": dict(got.unfillable.group_by("reason_code").len().sort("reason_code").iter_rows())})
    return stage_frame(context, "ExecutionEstimate", got.estimates)


@dg.graph_multi_asset(
    outs={
        "strat_maker_tight": out("OrderIntent", "strat.maker_tight: order intents.", STRATEGY),
        "execution_estimates": out("ExecutionEstimate", "S6: expected cost of each intent."),
    },
    ins=asset_ins("fair_values", "market_snapshots", "instruments", "book_state"),
    partitions_def=fixture_days,
    group_name="s6_execution",
)
def s6_execution(fair_values, market_snapshots, instruments, book_state):
    intents = strat_maker_tight(fair_values, market_snapshots, instruments)
    return {"strat_maker_tight": intents, "execution_estimates": estimate_execution(intents, instruments, book_state)}


# --- S7 risk: the only trading gate -------------------------------------------------------------

RISK_BOTS = SHADOW.risk_order


_S7_INPUTS = ("strat_maker_tight", "instruments", "market_snapshots", "resolutions", "token_states", "book_state",
              "feed_receipts", "feed_health", "fair_values")


@dg.op(
    tags={"polytraders/stage": "S7"},
    out={**{asset_name(s): dg.Out() for s in RISK_BOTS}, "risk_decisions": dg.Out(), "approved_intents": dg.Out()},
)
def risk_gate(context: dg.OpExecutionContext, event_store: EventStoreResource, adapter: AdapterBoundary,
              strat_maker_tight: pl.DataFrame, instruments: pl.DataFrame, market_snapshots: pl.DataFrame,
              resolutions: pl.DataFrame, token_states: pl.DataFrame, book_state: pl.DataFrame,
              feed_receipts: pl.DataFrame, feed_health: pl.DataFrame, fair_values: pl.DataFrame):
    """S7: the risk bots in declared order over every intent; only APPROVE/REDUCE pass."""
    inputs = MarketInputs(
        instruments=loaded(instruments), market_snapshots=loaded(market_snapshots), resolutions=loaded(resolutions),
        token_states=loaded(token_states), book_state=loaded(book_state), feed_receipts=loaded(feed_receipts),
        feed_health=loaded(feed_health), fair_values=loaded(fair_values), budgets=adapter.budgets(),
    )
    gate = trading.risk_gate(loaded(strat_maker_tight), inputs, SHADOW)
    streams.emit_votes(event_store.emitter(context), SHADOW, STRATEGY, gate.votes)
    for slug in RISK_BOTS:
        context.add_output_metadata(
            {"bot": slug, "elapsed_ms": round(gate.elapsed_ms[slug], 3), **bot_tags(slug)},
            output_name=asset_name(slug),
        )
    decisions = gate.decisions
    context.add_output_metadata(
        {"segments": gate.segments,
         **{d.lower(): int((decisions["decision"] == d).sum()) for d in ("APPROVE", "REDUCE", "REJECT")}},
        output_name="risk_decisions",
    )
    votes = tuple(stage_frame(context, "RiskVote", gate.votes[s]) for s in RISK_BOTS)
    return (*votes, stage_frame(context, "RiskDecision", decisions), stage_frame(context, "OrderIntent", gate.approved))


@dg.graph_multi_asset(
    outs={
        **{asset_name(s): out("RiskVote", f"{s}: one RiskVote per intent it evaluated.", s) for s in RISK_BOTS},
        "risk_decisions": out("RiskDecision", "S7: how each intent's pass through the declared risk order ended."),
        "approved_intents": out("OrderIntent", "S7: intents that ended APPROVE or REDUCE (reduced size)."),
    },
    ins=asset_ins(*_S7_INPUTS),
    partitions_def=fixture_days,
    group_name="s7_risk",
)
def s7_risk(**inputs):
    results = risk_gate(**inputs)
    names = [*(asset_name(s) for s in RISK_BOTS), "risk_decisions", "approved_intents"]
    return dict(zip(names, results, strict=True))


# --- S8 OMS, S9 inventory -------------------------------------------------------------------------


@dg.op(tags=bot_tags(streams.LIFECYCLE),
       out={name: dg.Out() for name in ("exec_order_shaper", "sec_signing_service", "order_refusals",
                                        "guard_verdicts", "order_events", "fills")})
def execution_rails(context: dg.OpExecutionContext, event_store: EventStoreResource, approved_intents: pl.DataFrame,
                    instruments: pl.DataFrame, market_snapshots: pl.DataFrame, resolutions: pl.DataFrame):
    """S8: route, shape, guard, sign (EIP-712, CLOB V2) and submit approved intents on the mock CLOB;
    the lifecycle works its answers and user channel. The wallet set-up is read from the
    environment here and refused by name if it cannot work (runtime.wallet)."""
    rails = Rails.of(SHADOW, wallet.load())
    got = trading.oms(loaded(approved_intents), loaded(instruments), loaded(market_snapshots), loaded(resolutions),
                      rails)
    streams.emit_oms(event_store.emitter(context), rails.profile, STRATEGY, got)
    refused = got.refusals.select(pl.col("bot"), pl.col("reason_codes").list.join("+").alias("code"))
    context.add_output_metadata({
        "signed": got.signed.height, "signing_s": round(got.signing_s, 3), "key_source": rails.wallet.key_source,
        "refused": {f"{b} {c}": n for b, c, n in refused.group_by("bot", "code").len().sort("bot", "code").iter_rows()},
        "venue_anomalies": got.anomalies.height,
        "breaker": "held" if got.breaker is None else
        f"tripped by {got.breaker.count} x {got.breaker.code} ({got.breaker.first_ts_ms}-{got.breaker.last_ts_ms})",
    }, output_name="sec_signing_service")
    return (stage_frame(context, "ExecutionPlan", got.plans),
            stage_frame(context, "SignedOrderRequest", got.signed),
            stage_frame(context, "OrderRefusal", got.refusals),
            stage_frame(context, "GuardVerdict", got.verdicts),
            stage_frame(context, "OrderEvent", got.order_events),
            stage_frame(context, "Fill", got.fills))


@dg.graph_multi_asset(
    outs={
        "exec_order_shaper": out("ExecutionPlan", "exec.order_shaper: plans on the tick grid, micro-unit amounts.",
                                 "exec.order_shaper"),
        "sec_signing_service": out("SignedOrderRequest", "sec.signing_service: CLOB V2 orders signed under EIP-712.",
                                   "sec.signing_service"),
        "order_refusals": out("OrderRefusal", "S8: approved intents not sent, or refused by the venue, and why."),
        "guard_verdicts": out("GuardVerdict", "S8: each sec guard's check of each plan, passed or refused."),
        "order_events": out("OrderEvent", "S8: the mock CLOB's user-channel order events."),
        "fills": out("Fill", "S8: fills, each once, in their last trade status."),
    },
    ins=asset_ins("approved_intents", "instruments", "market_snapshots", "resolutions"),
    partitions_def=fixture_days,
    group_name="s8_oms",
)
def s8_oms(approved_intents, instruments, market_snapshots, resolutions):
    plans, signed, refusals, verdicts, events, fills = execution_rails(approved_intents, instruments,
                                                                       market_snapshots, resolutions)
    return {"exec_order_shaper": plans, "sec_signing_service": signed, "order_refusals": refusals,
            "guard_verdicts": verdicts, "order_events": events, "fills": fills}


@dg.asset(
    key_prefix=[SCHEMA], partitions_def=fixture_days, group_name="s9_inventory",
    metadata={"partition_expr": PARTITION_COLUMN, "wire_object": "Position"},
    ins=asset_ins("fills", "resolutions", "market_snapshots"),
)
def positions(context: dg.AssetExecutionContext, event_store: EventStoreResource, fills: pl.DataFrame,
              resolutions: pl.DataFrame, market_snapshots: pl.DataFrame) -> pl.DataFrame:
    """S9: positions per token, marked to mid, settled at the recorded resolution."""
    frame = trading.positions(loaded(fills), loaded(resolutions), loaded(market_snapshots))
    streams.emit_positions(event_store.emitter(context), SHADOW, STRATEGY, frame, loaded(fills))
    return stage_frame(context, "Position", frame)


# --- S10 replay, S11 monitoring ---------------------------------------------------------------------

#: Every asset whose op emits envelopes: the event store partition is complete after them.
EMITTING_ASSETS = ("registry_quarantine", "ingest_quarantine", "token_states", asset_name(streams.DATA_QUALITY_BOT),
                   *(asset_name(s) for s in DISCOVERY_BOTS), "book_state",
                   *(asset_name(s) for s in SIGNAL_BOTS), "strat_maker_tight", "execution_estimates",
                   *(asset_name(s) for s in RISK_BOTS),
                   "exec_order_shaper", "sec_signing_service", "order_refusals", "guard_verdicts", "order_events",
                   "fills", "positions")


@dg.asset(
    key_prefix=[SCHEMA], partitions_def=fixture_days, group_name="s10_replay",
    deps=[dg.AssetKey([SCHEMA, name]) for name in EMITTING_ASSETS],
    metadata={"wire_object": "ReportEnvelope"},
)
def event_store(context: dg.AssetExecutionContext, event_store: EventStoreResource) -> dg.MaterializeResult:
    """S10: the partition's envelope stream is complete: export the Parquet snapshot readers use.

    The envelopes themselves were appended by each bot's op as it ran (append-only, keyed by
    envelope id); this step publishes the read path and counts what is there.
    """
    store = event_store.store()
    path = store.export(context.partition_key)
    frame = read_envelopes(store.root, context.partition_key)
    counts = frame.group_by("bot", "payload_type").len().sort("bot", "payload_type")
    return dg.MaterializeResult(metadata={
        "envelopes": frame.height,
        "rejected_payloads": store.count(context.partition_key, REJECTED),
        "parquet": dg.MetadataValue.path(str(path)),
        "by_bot": dg.MetadataValue.md(reports.markdown_table(counts.rename({"len": "envelopes"}))),
    })


#: The P3 gov bots (S11) and the wire object each emits; they read the envelope stream only.
GOV_BOTS: dict[str, str] = {
    "gov.audit_log": "AuditRecord",
    "gov.heartbeat": "Heartbeat",
    "gov.builder_attribution": "BuilderAttribution",
    "gov.sla_reporter": "SlaFigure",
    "gov.pnl_reporter": "PnlRecord",
    "gov.alert_dispatcher": "Alert",
}
#: The pipeline bots whose envelopes the gov bots read.
PIPELINE_BOTS = [streams.DATA_QUALITY_BOT, *DISCOVERY_BOTS, *SIGNAL_BOTS, STRATEGY, *RISK_BOTS, *EXEC_BOTS]


@dg.op(ins={"published": dg.In(dg.Nothing)}, out=dg.Out(io_manager_key="mem_io_manager"))
def envelope_stream(context: dg.OpExecutionContext, event_store: EventStoreResource,
                    adapter: AdapterBoundary) -> pl.DataFrame:
    """The partition's envelope stream (Parquet read path) as the current profile and the run's
    adapter budgets produced it."""
    frame = read_envelopes(event_store.store().root, context.partition_key)
    profile = deployed(SHADOW, wallet.allowed_wallets(), wallet.chain_id())
    return streams.current_stream(frame, profile, PIPELINE_BOTS, adapter.budgets())


def _gov_op(slug: str) -> dg.OpDefinition:
    payload_type = GOV_BOTS[slug]

    @dg.op(name=slug.replace(".", "_"), tags=bot_tags(slug), out=dg.Out())
    def gov_bot(context: dg.OpExecutionContext, event_store: EventStoreResource, alert_sinks: AlertSinks,
                stream: pl.DataFrame) -> pl.DataFrame:
        bot = bot_module(slug)
        config = SHADOW.config(slug)
        if payload_type == "Alert":  # route to every sink this deployment configured
            config = config.model_copy(update={"sinks": tuple(alert_sinks.sinks())})
        frame = bot.run(stream, config)
        streams.emit_bot(event_store.emitter(context), SHADOW, slug, payload_type, frame, config=config,
                         reason_codes=pl.col("reason_codes") if "reason_codes" in frame.columns else None)
        if payload_type == "Alert" and not frame.is_empty():
            delivered = deliver(frame.to_dicts(), alert_sinks.sinks())
            context.add_output_metadata({"delivered": delivered})
        return stage_frame(context, payload_type, frame)

    gov_bot.__doc__ = f"{slug}: {manifest.get(slug).summary} (reads the envelope stream only)."
    return gov_bot


GOV_OPS = {slug: _gov_op(slug) for slug in GOV_BOTS}


@dg.graph_multi_asset(
    outs={slug.replace(".", "_"): out(payload, f"{slug}: {manifest.get(slug).summary}.", slug)
          for slug, payload in GOV_BOTS.items()},
    partitions_def=fixture_days,
    group_name="s11_monitoring",
    ins={"event_store": dg.AssetIn(key=[SCHEMA, "event_store"], dagster_type=dg.Nothing)},
)
def s11_governance(event_store):
    stream = envelope_stream(published=event_store)
    return {slug.replace(".", "_"): GOV_OPS[slug](stream) for slug in GOV_BOTS}


@dg.asset(
    key_prefix=[SCHEMA], partitions_def=fixture_days, group_name="s11_monitoring",
    metadata={"partition_expr": PARTITION_COLUMN, "wire_object": "RunMetric"},
    ins=asset_ins("risk_decisions", "strat_maker_tight", "approved_intents", "exec_order_shaper",
                  "sec_signing_service", "order_refusals", "fills", "positions", "registry_quarantine",
                  "ingest_quarantine"),
    deps=[dg.AssetKey([SCHEMA, "event_store"]), *(dg.AssetKey([SCHEMA, s.replace(".", "_")]) for s in GOV_BOTS)],
)
def run_metrics(context: dg.AssetExecutionContext, warehouse: Warehouse, event_store: EventStoreResource,
                risk_decisions: pl.DataFrame, strat_maker_tight: pl.DataFrame,
                approved_intents: pl.DataFrame, exec_order_shaper: pl.DataFrame,
                sec_signing_service: pl.DataFrame, order_refusals: pl.DataFrame, fills: pl.DataFrame,
                positions: pl.DataFrame, registry_quarantine: pl.DataFrame,
                ingest_quarantine: pl.DataFrame) -> pl.DataFrame:
    """S11: rows per stage, schema failures, quarantines, decisions by reason code, fills, PnL.

    Schema failures = stage frames that fail their generated schema when read back, plus
    payloads the event store refused (stored as rejected payloads, never half-written).
    """
    given = {k: loaded(v) for k, v in locals().items() if isinstance(v, pl.DataFrame)}
    checked = {"RiskDecision": [given["risk_decisions"]],
               "OrderIntent": [given["strat_maker_tight"], given["approved_intents"]],
               "ExecutionPlan": [given["exec_order_shaper"]],
               "SignedOrderRequest": [given["sec_signing_service"]], "OrderRefusal": [given["order_refusals"]],
               "Fill": [given["fills"]], "Position": [given["positions"]],
               "QuarantineRecord": [given["registry_quarantine"], given["ingest_quarantine"]]}
    store = event_store.store()
    day = context.partition_key
    failures = sum(not schema_ok(name, f) for name, frames in checked.items() for f in frames)
    failures += store.count(day, REJECTED)
    counts = warehouse.row_counts(SCHEMA, PARTITION_COLUMN, day)
    counts.pop("run_metrics", None)  # its own table: written after this count
    by_bot = store.counts_by_bot(day, except_payload_type="RunMetric")  # a re-run's own metrics left out
    s11_envelopes = sum(n for bot, n in by_bot.items() if bot in GOV_BOTS)
    metrics = monitoring.run_metrics(
        day, context.run.run_id,
        {**{(TABLE_STAGE.get(t, "?"), t): n for t, n in counts.items()},
         ("S10", "envelopes"): sum(by_bot.values()) - s11_envelopes, ("S11", "envelopes"): s11_envelopes},
        given["risk_decisions"], given["strat_maker_tight"], given["approved_intents"], given["exec_order_shaper"],
        given["sec_signing_service"], given["order_refusals"], given["fills"], given["positions"],
        pl.concat([given["registry_quarantine"], given["ingest_quarantine"]]), failures,
    )
    last_ts_ms = int(given["positions"]["ts_ms"].max() or stages.day_start_ms(day))
    streams.emit_run_metrics(event_store.emitter(context), SHADOW, metrics, last_ts_ms)
    store.export(day)  # publish the gov bots' envelopes and the run metrics
    stream = read_envelopes(store.root, day)
    report = reports.dagster_metadata(day, metrics, stream, reports_dir(event_store) / day)
    context.add_output_metadata({"schema_failures": failures, **_metadata_values(report)})
    return stage_frame(context, "RunMetric", metrics)


def reports_dir(event_store: EventStoreResource) -> Path:
    """Charts of each day's report: ``reports/`` beside the event store."""
    return Path(event_store.root).parent / "reports"


def _metadata_values(report: dict[str, object]) -> dict[str, dg.MetadataValue]:
    """Wrap :func:`reports.dagster_metadata` values by their key's suffix."""
    def wrap(key: str, value: object) -> dg.MetadataValue:
        if key.endswith("_md"):
            return dg.MetadataValue.md(str(value))
        if key.endswith("_path"):
            return dg.MetadataValue.path(str(value))
        if isinstance(value, float):
            return dg.MetadataValue.float(value)
        if isinstance(value, int):
            return dg.MetadataValue.int(value)
        return dg.MetadataValue.text(str(value))

    return {key: wrap(key, value) for key, value in report.items()}


#: Which stage writes which table (for rows-per-stage metrics).
TABLE_STAGE: dict[str, str] = {
    "instruments": "S1", "registry_quarantine": "S1",
    "book_snapshots": "S2", "book_deltas": "S2", "market_snapshots": "S2", "trades": "S2", "resolutions": "S2",
    asset_name(streams.DATA_QUALITY_BOT): "S2",
    "ingest_quarantine": "S2", "feed_health": "S2", "feed_receipts": "S2", "tick_size_changes": "S2",
    "token_states": "S1",
    **{asset_name(s): "S2" for s in DISCOVERY_BOTS}, "book_state": "S3",
    **{asset_name(s): "S4" for s in SIGNAL_BOTS}, "fair_values": "S5",
    "strat_maker_tight": "S6", "execution_estimates": "S6",
    **{asset_name(s): "S7" for s in RISK_BOTS}, "risk_decisions": "S7", "approved_intents": "S7",
    "exec_order_shaper": "S8", "sec_signing_service": "S8", "order_refusals": "S8", "guard_verdicts": "S8",
    "order_events": "S8", "fills": "S8", "positions": "S9",
    "run_metrics": "S11", **{slug.replace(".", "_"): "S11" for slug in GOV_BOTS},
}
