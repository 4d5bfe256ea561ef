"""The entry-point shape of each kind of bot, keyed by what the bot emits (``BotSpec.emits``).

A shape is the text the scaffold templates need: imports, the pure entry point's signature, the
docstring's Inputs / Returns sections, and the generated test's imports and first call. Shapes
follow the modules already written (``intel.microprice``, ``disc.universe_scanner``,
``strat.maker_tight``, ``risk.killswitch``) and the runtime's contracts (the risk intent frame
and ``RiskContext``, the wire objects).
"""

from __future__ import annotations

from dataclasses import dataclass

from polytraders.bots.manifest import GUARD_VERDICT


@dataclass(frozen=True, slots=True)
class Shape:
    """Template text of one entry-point shape.

    Attributes:
        entry: entry point name.
        parameters: its parameters (without ``config: Config``, which is always last).
        returns: its return annotation.
        imports: the module's import statements beyond ``Field`` and ``BotConfig``.
        inputs_doc: the docstring's Inputs section (indented four spaces).
        returns_doc: the docstring's Returns section (indented four spaces).
        test_imports: the generated test's import statements beyond pytest and the bot module.
        test_setup: module-level test inputs (may be empty).
        test_args: the arguments of the generated test's call, before ``Config()``.
    """

    entry: str
    parameters: str
    returns: str
    imports: tuple[str, ...]
    inputs_doc: str
    returns_doc: str
    test_imports: tuple[str, ...]
    test_setup: str
    test_args: str


_BOOKS_DOC = """\
    ``books`` — OrderBookSnapshot frame: ``condition_id`` String, ``token_id`` String,
    ``ts_ms`` Int64, ``tick_size`` Decimal(38, 6), ``bids`` / ``asks``
    List(Struct{price: Decimal(38, 6), size: Decimal(38, 6)}) best-first, ``freshness`` Struct.
    Fill in: the columns actually read; add ``trades`` / ``instruments`` frames if needed."""
_SNAPSHOTS_DOC = """\
    ``books`` — MarketSnapshot frame: ``condition_id`` String, ``token_id`` String, ``ts_ms``
    Int64, ``tick_size`` / ``best_bid`` / ``best_ask`` Decimal(38, 6) (nullable sides)."""
_INSTRUMENTS_DOC = """\
    ``instruments`` — InstrumentRecord frame: ``condition_id`` String, ``tokens``
    List(Struct{token_id String, outcome String}), ``tick_size`` / ``min_order_size``
    Decimal(38, 6), ``active`` / ``closed`` / ``accepting_orders`` Boolean, ``end_ts_ms`` Int64
    nullable, ``as_of_ms`` Int64."""
_PLAN_DOC = """\
    ``plan`` — the ExecutionPlan about to be signed (on the tick grid, amounts in micro-units)."""

_POLARS = ("import polars as pl",)
_REJECTION = "from polytraders.bots.base import Rejection"
_INTENT_TEST_IMPORTS = (
    "from decimal import Decimal",
    "from polytraders.contracts import OrderIntent",
    "from polytraders.contracts.types import Side",
)
_INTENT_SETUP = """\
INTENT = OrderIntent(
    intent_id="intent-1",
    strategy="strat.maker_tight",
    condition_id="0x" + "ab" * 32,
    token_id="1",
    ts_ms=1_700_000_000_000,
    side=Side.BUY,
    price=Decimal("0.50"),
    size=Decimal("10"),
)"""
_PLAN_TEST_IMPORTS = (
    "from decimal import Decimal",
    "from polytraders.contracts import ExecutionPlan",
    "from polytraders.contracts.types import OrderType, Side",
)
_PLAN_SETUP = """\
PLAN = ExecutionPlan(
    plan_id="plan-1",
    intent_id="intent-1",
    condition_id="0x" + "ab" * 32,
    token_id="1",
    ts_ms=1_700_000_000_000,
    side=Side.BUY,
    price=Decimal("0.50"),
    size=Decimal("10"),
    tick_size=Decimal("0.01"),
    neg_risk=False,
    order_type=OrderType.GTC,
    post_only=True,
    maker_amount=5_000_000,
    taker_amount=10_000_000,
)"""


def _frame_shape(parameters: str, inputs_doc: str, returns_doc: str) -> Shape:
    """A vectorised shape: polars frames in, one polars frame out."""
    return Shape(
        entry="run",
        parameters=parameters,
        returns="pl.DataFrame",
        imports=_POLARS,
        inputs_doc=inputs_doc,
        returns_doc=returns_doc,
        test_imports=_POLARS,
        test_setup="",
        test_args=", ".join("pl.DataFrame()" for _ in parameters.split(", ")),
    )


def _plan_shape(entry: str, returns: str, imports: tuple[str, ...], returns_doc: str) -> Shape:
    """A sec shape: one ExecutionPlan in."""
    return Shape(
        entry=entry,
        parameters="plan: ExecutionPlan",
        returns=returns,
        imports=imports,
        inputs_doc=_PLAN_DOC,
        returns_doc=returns_doc,
        test_imports=_PLAN_TEST_IMPORTS,
        test_setup=_PLAN_SETUP,
        test_args="PLAN",
    )


SHAPES: dict[str, Shape] = {
    "Signal": _frame_shape(
        "books: pl.DataFrame",
        _BOOKS_DOC,
        """\
    Signal frame (``bot``, ``condition_id``, ``token_id`` String, ``ts_ms`` Int64, ``name``
    String, ``value`` Float64, ``unit`` String). Fill in: which rows, in which order.""",
    ),
    "Candidate": _frame_shape(
        "instruments: pl.DataFrame, books: pl.DataFrame",
        f"{_INSTRUMENTS_DOC}\n{_SNAPSHOTS_DOC}",
        """\
    Candidate frame (``bot``, ``condition_id`` String, ``ts_ms`` Int64, ``rank`` Int64,
    ``score`` Float64, ``reason_codes`` List(String)) sorted by rank.""",
    ),
    "OrderIntent": _frame_shape(
        "fair_values: pl.DataFrame, books: pl.DataFrame, instruments: pl.DataFrame",
        """\
    ``fair_values`` — FairValue frame: ``condition_id`` String, ``token_id`` String, ``ts_ms``
    Int64, ``fair_value`` Decimal(38, 6), ``source`` String.
"""
        + f"{_SNAPSHOTS_DOC}\n{_INSTRUMENTS_DOC}",
        """\
    OrderIntent frame (``intent_id``, ``strategy``, ``kind``, ``cancels_intent_id``,
    ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``side``, ``price`` / ``size``
    Decimal(38, 6), ``order_type``, ``post_only``) sorted by ts_ms, condition_id, token_id.""",
    ),
    "RiskVote": Shape(
        entry="vote",
        parameters="intents: pl.DataFrame, ctx: RiskContext",
        returns="pl.DataFrame",
        imports=(*_POLARS, "from polytraders.bots.risk.context import RiskContext"),
        inputs_doc="""\
    ``intents`` — the intent frame (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`): one
    row per PLACE intent with its market, book, feed and portfolio context, in (ts_ms, intent_id)
    order; CANCELs never reach a risk bot. Fill in: the columns actually read (a null one is a REJECT).
    ``ctx`` — :class:`RiskContext` histories (venue events, fills, recon, feed health) known before
    each row's ``ts_ms``. Fill in: the histories read, or "no RiskContext history".""",
        returns_doc="""\
    :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent row, same order:
    APPROVE at ``size``, REDUCE to ``0 < approved_size < size`` or REJECT at 0, ``reason_code``
    null on APPROVE. Fill in: build it with ``verdicts(intents, <reject expr>, CODE)`` or
    ``sized(intents, <allowed shares expr>, CODE)`` from :mod:`polytraders.bots.risk.votes`.""",
        test_imports=("from polytraders_tests.bots.risk.frames import healthy_context, intents",),
        test_setup="""\
# One BUY of 20 shares at 0.50 in a context every risk bot approves under its default config.
# Write each case with polytraders_tests.bots.risk.frames (imported as a module, its ``vote`` is
# not this bot's): ``frames.vote(<bot module>, intents({...}), ctx, **config) == [approve("20")]``.
HEALTHY = intents()
CONTEXT = healthy_context()""",
        test_args="HEALTHY, CONTEXT",
    ),
    "ExecutionPlan": Shape(
        entry="plan",
        parameters="intent: OrderIntent, instrument: InstrumentRecord | None",
        returns="ExecutionPlan | Rejection",
        imports=(
            _REJECTION,
            "from polytraders.contracts import ExecutionPlan, InstrumentRecord, OrderIntent",
        ),
        inputs_doc="""\
    ``intent`` — an OrderIntent the risk gate approved (size as approved).
    ``instrument`` — the registry record of its market, or None when unknown (fail closed).""",
        returns_doc="""\
    ExecutionPlan on the venue's grid, or a :class:`Rejection` with a reason code.""",
        test_imports=_INTENT_TEST_IMPORTS,
        test_setup=_INTENT_SETUP,
        test_args="INTENT, None",
    ),
    "SignedOrderRequest": _plan_shape(
        "sign",
        "SignedOrderRequest | Rejection",
        (_REJECTION, "from polytraders.contracts import ExecutionPlan, SignedOrderRequest"),
        """\
    SignedOrderRequest, or a :class:`Rejection` with a reason code.""",
    ),
    GUARD_VERDICT: _plan_shape(
        "check",
        "Rejection | None",
        (_REJECTION, "from polytraders.contracts import ExecutionPlan"),
        """\
    None when the plan may proceed, else a :class:`Rejection` with a reason code.""",
    ),
    "ReportEnvelope": _frame_shape(
        "envelopes: pl.DataFrame",
        """\
    ``envelopes`` — ReportEnvelope frame (the envelope stream, sequence-ordered): ``bot``
    String, ``sequence`` Int64, ``ts_ms`` Int64, ``payload_type`` String, ``payload`` Struct,
    ``reason_codes`` List(String).""",
        """\
    Report frame, one row per report; the runtime wraps each row in a ReportEnvelope.
    Fill in: its columns and dtypes.""",
    ),
}
