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


from collections.abc import Callable
from typing import Any

import dagster as dg
import polars as pl

from polytraders.bots.inputs import MarketData, ScanResult
from polytraders.defs.partitions import PARTITION_COLUMN, fixture_days
from polytraders.defs.resources import EventStoreResource
from polytraders.defs.stages import SCHEMA, asset_ins, bot_tags, loaded, stage_frame
from polytraders.runtime import streams
from polytraders.runtime.emitter import Emitter
from polytraders.runtime.profile import DISCOVERY_BOTS, SHADOW, SIGNAL_BOTS, asset_name, bot_module

#: MarketData field -> the stage table it is loaded from, for intel (S4) and disc (S2) bots.
INTEL_TABLES = {"instruments": "instruments", "books": "book_state", "tops": "market_snapshots",
                "trades": "trades", "resolutions": "resolutions"}
DISC_TABLES = {**INTEL_TABLES, "books": "book_snapshots"}


#: What an asset does with its bot's output: (frame to store, its wire object, metadata); it puts
#: the output on the envelope stream through the emitter it is given.
Emit = Callable[[Emitter, str, Any], tuple[pl.DataFrame, str, dict[str, Any]]]


def _counts(frame: pl.DataFrame, column: str) -> dict[str, int]:
    return dict(frame.group_by(column).len().sort(column).iter_rows())


def _emit_signals(emitter: Emitter, slug: str, signals: pl.DataFrame) -> tuple[pl.DataFrame, str, dict[str, Any]]:
    streams.emit_bot(emitter, SHADOW, slug, "Signal", signals)
    return signals, "Signal", {"signals": signals.height, "tokens": signals["token_id"].n_unique()}


def _emit_candidates(emitter: Emitter, slug: str, result: ScanResult) -> tuple[pl.DataFrame, str, dict[str, Any]]:
    streams.emit_bot(emitter, SHADOW, slug, "Candidate", result.candidates, reason_codes=pl.col("reason_codes"))
    return result.candidates, "Candidate", {"candidates": result.candidates.height,
                                            "excluded": result.excluded.height,
                                            **_counts(result.excluded, "reason_code")}


def _emit_findings(emitter: Emitter, slug: str, findings: pl.DataFrame) -> tuple[pl.DataFrame, str, dict[str, Any]]:
    output = bot_module(slug).OUTPUT
    streams.emit_bot(emitter, SHADOW, slug, output, findings, reason_codes=pl.concat_list(pl.col("reason_code")))
    return findings, output, {"findings": findings.height, **_counts(findings, "reason_code")}


def _bot_asset(slug: str, tables_of: dict[str, str], group: str, wire_object: str, what: str,
               emit: Emit) -> dg.AssetsDefinition:
    """One asset for bot ``slug``: loads the stage tables of its ``INPUTS`` (``tables_of``: field ->
    table), runs it under the shadow profile, ``emit``s its output and stores the validated frame."""
    bot = bot_module(slug)
    tables = {field: tables_of[field] for field in bot.INPUTS}

    @dg.asset(
        name=asset_name(slug), key_prefix=[SCHEMA], partitions_def=fixture_days, group_name=group,
        ins=asset_ins(*tables.values()), op_tags=bot_tags(slug),
        metadata={"partition_expr": PARTITION_COLUMN, "wire_object": wire_object, **bot_tags(slug)},
        description=f"{what}: {slug}. {bot.__doc__.splitlines()[0]}",
    )
    def bot_asset(context: dg.AssetExecutionContext, event_store: EventStoreResource, **frames: pl.DataFrame):
        data = MarketData.of(**{field: loaded(frames[table]) for field, table in tables.items()})
        frame, output, metadata = emit(event_store.emitter(context), slug, bot.run(data, SHADOW.config(slug)))
        context.add_output_metadata(metadata)
        return stage_frame(context, output, frame)

    return bot_asset


signal_assets = [_bot_asset(slug, INTEL_TABLES, "s4_signals", "Signal", "S4 signals", _emit_signals)
                 for slug in SIGNAL_BOTS]
discovery_assets = [_bot_asset(slug, DISC_TABLES, "s2_ingestion", "Candidate", "S2 candidates", _emit_candidates)
                    for slug in DISCOVERY_BOTS]
data_quality_asset = _bot_asset(streams.DATA_QUALITY_BOT, DISC_TABLES, "s2_ingestion",
                                bot_module(streams.DATA_QUALITY_BOT).OUTPUT, "S2 findings on the admitted books",
                                _emit_findings)
