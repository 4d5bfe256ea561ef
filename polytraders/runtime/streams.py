"""What each stage puts on the envelope stream, and how its envelopes name their causes.

| stage | bot | payload | causation |
|---|---|---|---|
| S1, S2 | gov.data_quality_monitor (owner of the GOV_DQ_* codes) | QuarantineRecord | - |
| S2 | gov.data_quality_monitor | FeedHealth (per channel and minute; GOV_DQ_FEED_DEAD when not live) | - |
| S1 (fold) | gov.data_quality_monitor | TokenState (each token's registry state as it changes) | - |
| S2 | gov.data_quality_monitor (its module, on S2's admitted books) | DataQualityFinding | - |
| S2 | disc.universe_scanner | Candidate | - |
| S4 | intel.microprice | Signal | - |
| S6 | the strategy (strat.maker_tight) | OrderIntent (STRAT_QUOTE / STRAT_QUOTE_PULL) | - |
| S7 | each risk bot | RiskVote | the intent's envelope |
| S6 | exec.fee_slippage_estimator | ExecutionEstimate | - |
| S8 | exec.order_shaper | ExecutionPlan | the intent's envelope |
| S8 | sec.signing_service | SignedOrderRequest | the plan's envelope |
| S8 | the refusing exec / sec bot, or exec.lifecycle_manager for the venue's | OrderRefusal | the intent's envelope |
| S8 | each sec guard (wallet permissions, allowances, salt, self-test) | GuardVerdict | the plan's envelope |
| S8 | exec.lifecycle_manager | OrderEvent, Fill (the mock CLOB's user channel) | the signed order's envelope |
| S8 | exec.lifecycle_manager | QuarantineRecord (a venue message it refused) | - |
| S9 | the strategy | Position | the fill's envelope (none at settlement / end of day) |

Sequence numbers run per (bot, payload type) within a partition. Causes are looked up in the
store (the envelope ids already written), so a consumer names exactly what it was derived from.
"""

from __future__ import annotations

import polars as pl

from polytraders.adapters.budgets import DEFAULT_BUDGETS, FreshnessBudgets
from polytraders.bots import manifest
from polytraders.bots.base import BotConfig
from polytraders.runtime.emitter import Emitted, Emitter
from polytraders.runtime.profile import Profile, bot_module
from polytraders.runtime.stages import day_start_ms
from polytraders.runtime.trading import OmsFrames

DATA_QUALITY_BOT = "gov.data_quality_monitor"
#: S8's bots that put the order path on the stream.
SHAPER, SIGNER, LIFECYCLE = "exec.order_shaper", "sec.signing_service", "exec.lifecycle_manager"

#: Reason codes of an intent envelope: a PLACE quotes, a CANCEL pulls the quote.
INTENT_REASONS = (
    pl.when(pl.col("kind") == "PLACE").then(pl.lit(["STRAT_QUOTE"])).otherwise(pl.lit(["STRAT_QUOTE_PULL"]))
)


def adapter_config_version(budgets: FreshnessBudgets) -> str:
    """Config version of the adapter boundary: the hash of the run's freshness budgets
    (:meth:`~polytraders.adapters.budgets.FreshnessBudgets.version`), 16 hex digits."""
    return budgets.version()


def emit_bot(emitter: Emitter, profile: Profile, slug: str, payload_type: str, frame: pl.DataFrame, *,
             config: BotConfig | None = None, **kw: pl.Expr | None) -> Emitted:
    """Emit ``frame`` as ``slug``'s decisions, with its module version and effective config
    (``config``, when the run adjusted the profile's, else the profile's)."""
    version = bot_module(slug).VERSION
    effective = config if config is not None else profile.config(slug)
    return emitter.emit(slug, version, effective.version_hash(), payload_type, frame, **kw)


def emit_run_metrics(emitter: Emitter, profile: Profile, metrics: pl.DataFrame, ts_ms: int) -> Emitted:
    """S11's RunMetric rows on the stream (under gov.sla_reporter, the run's figures), stamped
    with the day's last data time ``ts_ms``: reports read them from the Parquet snapshot."""
    return emit_bot(emitter, profile, "gov.sla_reporter", "RunMetric", metrics,
                    ts_ms=pl.repeat(ts_ms, pl.len(), dtype=pl.Int64))


def emit_quarantine(emitter: Emitter, records: pl.DataFrame,
                    budgets: FreshnessBudgets = DEFAULT_BUDGETS) -> Emitted:
    """S1/S2 QuarantineRecords on the stream, each with its reason code, at its receive time (a
    record without one, such as a corrupt capture line, at the partition day's 00:00 UTC); config
    version = the run's freshness budgets (:func:`adapter_config_version`)."""
    return emitter.emit(
        DATA_QUALITY_BOT, manifest.get(DATA_QUALITY_BOT).version, adapter_config_version(budgets),
        "QuarantineRecord", records, reason_codes=pl.concat_list(pl.col("reason_code")),
        ts_ms=pl.col("receive_ts_ms").fill_null(day_start_ms(emitter.run.partition)),
    )


#: Reason code of a FeedHealth window whose feed was dead (a data silence past the liveness budget).
FEED_DEAD = "GOV_DQ_FEED_DEAD"


def emit_feed_health(emitter: Emitter, health: pl.DataFrame,
                     budgets: FreshnessBudgets = DEFAULT_BUDGETS) -> Emitted:
    """S2's FeedHealth rows on the stream under gov.data_quality_monitor (config version = the
    run's budgets), each at its window's end; a window that is not ``live`` carries
    GOV_DQ_FEED_DEAD, a live one no code. These rows are also the venue-error statistics
    (quarantined frames per channel and minute) later read by risk.api_degradation."""
    dead = pl.lit([FEED_DEAD], dtype=pl.List(pl.String))
    return emitter.emit(
        DATA_QUALITY_BOT, manifest.get(DATA_QUALITY_BOT).version, adapter_config_version(budgets),
        "FeedHealth", health,
        reason_codes=pl.when(pl.col("live")).then(pl.lit([], dtype=pl.List(pl.String))).otherwise(dead),
        ts_ms=pl.col("window_start_ms") + pl.col("window_ms"),
    )


def emit_token_states(emitter: Emitter, states: pl.DataFrame,
                      budgets: FreshnessBudgets = DEFAULT_BUDGETS) -> Emitted:
    """The registry fold's TokenState rows on the stream under gov.data_quality_monitor (config
    version = the run's adapter budgets), each at its ``as_of_ms``: the market-status input of
    risk.market_halt."""
    return emitter.emit(
        DATA_QUALITY_BOT, manifest.get(DATA_QUALITY_BOT).version, adapter_config_version(budgets),
        "TokenState", states, ts_ms=pl.col("as_of_ms"),
    )


def _stored_ids(emitter: Emitter, profile: Profile, bot: str, key: str) -> pl.DataFrame:
    """``key`` -> envelope_id of ``bot``'s stored payloads at its current version and config."""
    return emitter.envelope_ids(bot, key, bot_module(bot).VERSION, profile.config(bot).version_hash())


def _caused_by(ids: pl.DataFrame, frame: pl.DataFrame, frame_key: str) -> pl.Expr:
    """List(String) per row of ``frame``: the envelope id in ``ids`` (``key``, ``envelope_id``)
    whose key equals the row's ``frame_key``; [] when there is none."""
    key = ids.columns[0]
    causes = frame.select(frame_key).join(ids.rename({key: frame_key}), on=frame_key, how="left", maintain_order="left")
    return pl.lit(causes.select(pl.concat_list("envelope_id").list.drop_nulls())["envelope_id"])


def emit_votes(emitter: Emitter, profile: Profile, strategy: str, votes: dict[str, pl.DataFrame]) -> int:
    """S7: every risk bot's votes, each caused by its intent's envelope. Returns rejected rows."""
    intents = _stored_ids(emitter, profile, strategy, "intent_id")
    return sum(
        emit_bot(emitter, profile, slug, "RiskVote", frame, reason_codes=pl.col("reason_codes"),
                 causation_ids=_caused_by(intents, frame, "intent_id")).rejected
        for slug, frame in votes.items()
    )


def emit_oms(emitter: Emitter, profile: Profile, strategy: str, got: OmsFrames) -> int:
    """S8: plans (caused by intents), signed orders (by plans), refusals (by intents, under the bot
    that refused), the sec guards' verdicts (by plans, under each guard), then order events and
    fills (by the signed order whose hash is their order id) and the lifecycle's quarantined venue
    messages. Returns the rows the store rejected."""
    intents = _stored_ids(emitter, profile, strategy, "intent_id")
    rejected = emit_bot(emitter, profile, SHAPER, "ExecutionPlan", got.plans,
                        causation_ids=_caused_by(intents, got.plans, "intent_id")).rejected
    plan_ids = _stored_ids(emitter, profile, SHAPER, "plan_id")
    rejected += emit_bot(emitter, profile, SIGNER, "SignedOrderRequest", got.signed, ts_ms=pl.col("timestamp_ms"),
                         causation_ids=_caused_by(plan_ids, got.signed, "plan_id")).rejected
    for payload_type, decided, causes, key in (("OrderRefusal", got.refusals, intents, "intent_id"),
                                               ("GuardVerdict", got.verdicts, plan_ids, "plan_id")):
        for (bot,), frame in decided.group_by("bot", maintain_order=True):  # each under the bot that decided
            rejected += emit_bot(emitter, profile, str(bot), payload_type, frame, reason_codes=pl.col("reason_codes"),
                                 causation_ids=_caused_by(causes, frame, key)).rejected
    orders = _stored_ids(emitter, profile, SIGNER, "order_hash")
    for payload_type, frame in (("OrderEvent", got.order_events), ("Fill", got.fills)):
        rejected += emit_bot(emitter, profile, LIFECYCLE, payload_type, frame,
                             causation_ids=_caused_by(orders, frame, "order_id")).rejected
    rejected += emit_bot(emitter, profile, LIFECYCLE, "QuarantineRecord", got.anomalies,
                         reason_codes=pl.concat_list(pl.col("reason_code")), ts_ms=pl.col("receive_ts_ms")).rejected
    return rejected


def emit_positions(emitter: Emitter, profile: Profile, strategy: str, positions: pl.DataFrame,
                   fills: pl.DataFrame) -> int:
    """S9: positions under the strategy that owns them; a row written after a fill is caused by
    that fill's envelope (matched on token and time)."""
    fill_at = fills.group_by("token_id", "ts_ms", maintain_order=True).agg(pl.col("fill_id").first())
    keyed = positions.join(fill_at, on=["token_id", "ts_ms"], how="left", maintain_order="left")
    fill_ids = _stored_ids(emitter, profile, LIFECYCLE, "fill_id")
    return emit_bot(emitter, profile, strategy, "Position", positions,
                    causation_ids=_caused_by(fill_ids, keyed, "fill_id")).rejected


def current_stream(envelopes: pl.DataFrame, profile: Profile, bots: list[str],
                   budgets: FreshnessBudgets = DEFAULT_BUDGETS) -> pl.DataFrame:
    """The envelopes of ``bots`` at their current version and config.

    The store is append-only, so a partition re-run with another config keeps the earlier
    envelopes too; reports and gov bots read the ones the current profile produced.
    gov.data_quality_monitor's adapter envelopes (quarantine records) are matched on the adapter's
    config version (``budgets``); its own findings, when it is among ``bots``, on its config.
    """
    expected = pl.DataFrame(
        [(DATA_QUALITY_BOT, manifest.get(DATA_QUALITY_BOT).version, adapter_config_version(budgets))]
        + [(slug, bot_module(slug).VERSION, profile.config(slug).version_hash()) for slug in bots],
        schema=["bot", "bot_version", "config_version"], orient="row",
    )
    return envelopes.join(expected, on=["bot", "bot_version", "config_version"], how="semi", maintain_order="left")
