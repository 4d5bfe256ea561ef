"""gov.alert_dispatcher — decide which envelopes raise alerts and which sinks they go to.

Method
    An envelope's severity is the highest registry severity among its reason codes
    (INFO < WARN < ERROR < CRITICAL; :mod:`polytraders.contracts.reason_codes`). A code the
    registry does not know counts as CRITICAL (fail closed: it should have been rejected where it
    was emitted). Envelopes with severity >= ``min_severity`` become one Alert each; envelopes
    without codes, and gov.alert_dispatcher's own envelopes (no alert loops), never do.

    Repeats: the same condition (same bot, same set of reason codes) raises one alert per
    episode: an envelope alerts when the condition had not occurred for more than
    ``repeat_after_ms`` before it (or never). A gate that rejects an intent every second for four
    hours is one episode and one alert; the same rejections after a quiet 10 minutes start a new
    episode and alert again. ``repeat_after_ms = None`` raises one alert per envelope.

    Routing: ``sinks_by_severity[severity]`` when configured, else ``sinks``. The bot only
    decides; delivery (file, webhook) is the runtime's.

    Summary (one line): ``"<SEVERITY> <bot> <payload_type>: <codes, comma-separated> — <meaning
    of the first code of that severity>"``.

Inputs
    ``envelopes`` — ReportEnvelope frame; reads envelope_id, bot, ts_ms, payload_type and
    reason_codes (extra columns such as ``partition_day`` are ignored).

Returns
    Alert frame in stream order, validated against its generated schema; typed and empty when
    nothing is severe enough.

Reason codes
    None of its own: an Alert carries the envelope's codes.

Raises
    pydantic.ValidationError — invalid config (empty sink list or sink name).
"""

from __future__ import annotations

from typing import Annotated

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.gov.stream import envelope_rows
from polytraders.contracts.frames import polars_schema, validate_frame
from polytraders.contracts.reason_codes import REGISTRY
from polytraders.contracts.types import Severity

SLUG = "gov.alert_dispatcher"
VERSION = "0.1.0"
OUTPUT = "Alert"

#: Severity -> rank, least severe first.
RANK: dict[str, int] = {str(s): n for n, s in enumerate(Severity)}
_UNREGISTERED = "unregistered reason code"

SinkName = Annotated[str, Field(min_length=1, pattern=r"^\S+$")]
Sinks = Annotated[tuple[SinkName, ...], Field(min_length=1)]


class Config(BotConfig):
    """Parameters of gov.alert_dispatcher."""

    min_severity: Severity = Field(
        default=Severity.ERROR, description="lowest reason-code severity that raises an alert (INFO..CRITICAL)"
    )
    sinks: Sinks = Field(default=("file",), description="sink names an alert goes to unless its severity is mapped")
    repeat_after_ms: int | None = Field(
        default=300_000, gt=0, description="a condition (bot + reason codes) alerts again only after this "
        "long without occurring, ms; None = one alert per envelope",
    )  # fmt: skip
    sinks_by_severity: dict[Severity, Sinks] = Field(
        default_factory=dict, description="severity -> sink names, overriding `sinks` for that severity "
        "(e.g. CRITICAL -> ('file', 'webhook'))",
    )  # fmt: skip


def run(envelopes: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Alerts of ``envelopes``; see the module docstring."""
    ranks = {code: RANK[str(info.severity)] for code, info in REGISTRY.items()}
    meanings = {code: info.description for code, info in REGISTRY.items()}
    critical = RANK[str(Severity.CRITICAL)]
    names = list(RANK)
    code_rank = pl.element().replace_strict(ranks, default=critical, return_dtype=pl.Int64)
    routes = pl.DataFrame(
        {"severity": names, "sinks": [list(config.sinks_by_severity.get(Severity(s), config.sinks)) for s in names]},
        schema={"severity": pl.String, "sinks": pl.List(pl.String)},
    )
    rows = (
        envelope_rows(envelopes)
        .filter((pl.col("bot") != SLUG) & (pl.col("reason_codes").list.len() > 0))
        .with_columns(pl.col("reason_codes").list.eval(code_rank).alias("_ranks"))
        .with_columns(pl.col("_ranks").list.max().alias("_rank"))
        .filter(pl.col("_rank") >= RANK[str(config.min_severity)])
    )
    if config.repeat_after_ms is not None:
        condition = pl.struct("bot", pl.col("reason_codes").list.sort())
        rows = rows.with_row_index("_order").sort("ts_ms", "_order")
        quiet_for = pl.col("ts_ms") - pl.col("ts_ms").shift(1).over(condition)
        rows = rows.filter(quiet_for.is_null() | (quiet_for > config.repeat_after_ms)).sort("_order").drop("_order")
    top = pl.col("reason_codes").list.get(pl.col("_ranks").list.eval(pl.element() == pl.element().max()).list.arg_max())
    out = rows.with_columns(
        pl.col("_rank").replace_strict(dict(enumerate(names)), return_dtype=pl.String).alias("severity"),
        top.replace_strict(meanings, default=_UNREGISTERED, return_dtype=pl.String).alias("_meaning"),
    ).with_columns(
        pl.format(
            "{} {} {}: {} — {}", "severity", "bot", "payload_type", pl.col("reason_codes").list.join(","), "_meaning"
        ).alias("summary")
    ).join(routes, on="severity", how="left", maintain_order="left")
    return validate_frame(OUTPUT, out.select(list(polars_schema(OUTPUT))))
