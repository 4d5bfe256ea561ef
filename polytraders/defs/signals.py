"""S4 signals, S1–S2 discovery and S2 data quality: one asset per intel and disc bot, and one for
gov.data_quality_monitor, each built from the bot's ``INPUTS``.

Each bot module names the :class:`~polytraders.bots.inputs.MarketData` fields it reads; its asset
loads exactly those stage tables (the rest are empty frames), runs the bot under the shadow
profile's config, puts its output on the envelope stream (Signal / Candidate / DataQualityFinding
envelopes) and stores the validated frame. Intel bots read S3's book state; disc bots and the
data-quality monitor run in S2 and read its snapshots (the monitor: the books S2 admitted).

(No ``from __future__ import annotations`` here: Dagster checks the ``context`` annotation of
these nested functions at definition time and cannot resolve a string annotation.)
"""


import dagster as dg
import polars as pl

from polytraders.bots.inputs import MarketData
from polytraders.defs.partitions import PARTITION_COLUMN, fixture_days
from polytraders.defs.resources import EventStoreResource
from polytraders.defs.stages import SCHEMA, asset_ins, bot_tags, loaded, stage_frame
from polytraders.runtime import streams
from polytraders.runtime.profile import DISCOVERY_BOTS, SHADOW, SIGNAL_BOTS, asset_name, bot_module

#: MarketData field -> the stage table it is loaded from, for intel (S4) and disc (S2) bots.
INTEL_TABLES = {"instruments": "instruments", "books": "book_state", "tops": "market_snapshots",
                "trades": "trades", "resolutions": "resolutions"}
DISC_TABLES = {**INTEL_TABLES, "books": "book_snapshots"}


def _signal_asset(slug: str) -> dg.AssetsDefinition:
    bot = bot_module(slug)
    tables = {field: INTEL_TABLES[field] for field in bot.INPUTS}

    @dg.asset(
        name=asset_name(slug), key_prefix=[SCHEMA], partitions_def=fixture_days, group_name="s4_signals",
        ins=asset_ins(*tables.values()), op_tags=bot_tags(slug),
        metadata={"partition_expr": PARTITION_COLUMN, "wire_object": "Signal", **bot_tags(slug)},
        description=f"S4: {slug} signals. {bot.__doc__.splitlines()[0]}",
    )
    def signal(context: dg.AssetExecutionContext, event_store: EventStoreResource, **frames: pl.DataFrame):
        data = MarketData.of(**{field: loaded(frames[table]) for field, table in tables.items()})
        signals = bot.run(data, SHADOW.config(slug))
        streams.emit_bot(event_store.emitter(context), SHADOW, slug, "Signal", signals)
        context.add_output_metadata({"signals": signals.height, "tokens": signals["token_id"].n_unique()})
        return stage_frame(context, "Signal", signals)

    return signal


def _discovery_asset(slug: str) -> dg.AssetsDefinition:
    bot = bot_module(slug)
    tables = {field: DISC_TABLES[field] for field in bot.INPUTS}

    @dg.asset(
        name=asset_name(slug), key_prefix=[SCHEMA], partitions_def=fixture_days, group_name="s2_ingestion",
        ins=asset_ins(*tables.values()), op_tags=bot_tags(slug),
        metadata={"partition_expr": PARTITION_COLUMN, "wire_object": "Candidate", **bot_tags(slug)},
        description=f"S2: {slug} candidates. {bot.__doc__.splitlines()[0]}",
    )
    def discovery(context: dg.AssetExecutionContext, event_store: EventStoreResource, **frames: pl.DataFrame):
        data = MarketData.of(**{field: loaded(frames[table]) for field, table in tables.items()})
        result = bot.run(data, SHADOW.config(slug))
        streams.emit_bot(event_store.emitter(context), SHADOW, slug, "Candidate", result.candidates,
                         reason_codes=pl.col("reason_codes"))
        excluded = result.excluded.group_by("reason_code").len().sort("reason_code")
        context.add_output_metadata({"candidates": result.candidates.height, "excluded": result.excluded.height,
                                     **{code: n for code, n in excluded.iter_rows()}})
        return stage_frame(context, "Candidate", result.candidates)

    return discovery


def _data_quality_asset(slug: str = streams.DATA_QUALITY_BOT) -> dg.AssetsDefinition:
    bot = bot_module(slug)
    tables = {field: DISC_TABLES[field] for field in bot.INPUTS}

    @dg.asset(
        name=asset_name(slug), key_prefix=[SCHEMA], partitions_def=fixture_days, group_name="s2_ingestion",
        ins=asset_ins(*tables.values()), op_tags=bot_tags(slug),
        metadata={"partition_expr": PARTITION_COLUMN, "wire_object": bot.OUTPUT, **bot_tags(slug)},
        description=f"S2: {slug} findings on the admitted books. {bot.__doc__.splitlines()[0]}",
    )
    def data_quality(context: dg.AssetExecutionContext, event_store: EventStoreResource, **frames: pl.DataFrame):
        data = MarketData.of(**{field: loaded(frames[table]) for field, table in tables.items()})
        findings = bot.run(data, SHADOW.config(slug))
        streams.emit_bot(event_store.emitter(context), SHADOW, slug, bot.OUTPUT, findings,
                         reason_codes=pl.concat_list(pl.col("reason_code")))
        by_code = findings.group_by("reason_code").len().sort("reason_code")
        context.add_output_metadata({"findings": findings.height, **{code: n for code, n in by_code.iter_rows()}})
        return stage_frame(context, bot.OUTPUT, findings)

    return data_quality


signal_assets = [_signal_asset(slug) for slug in SIGNAL_BOTS]
discovery_assets = [_discovery_asset(slug) for slug in DISCOVERY_BOTS]
data_quality_asset = _data_quality_asset()
