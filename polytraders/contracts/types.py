"""Exact scalar types shared by every wire object.

Money and probabilities never pass through a float at the boundary: prices and sizes are
``Decimal`` (serialised as decimal strings, the venue's own format), collateral that reaches
signing is an integer number of micro-units (USDC x 10^6), token ids are decimal strings of up
to 78 digits (uint256), timestamps are integer epoch milliseconds UTC.

Each decimal type carries ``"format": "decimal"`` in its JSON Schema; the pandera frame schemas
(:mod:`polytraders.contracts.frames`) read that to pick ``pl.Decimal`` columns.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, PlainSerializer, WithJsonSchema

#: Decimal scale used for the frame form of every decimal field (1e-6: the venue's smallest
#: collateral unit and finer than any tick size, 0.0001).
DECIMAL_SCALE = 6

_DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"

#: JSON Schema keywords that carry the bounds of a decimal string (the ajv-formats vocabulary:
#: ``minimum`` / ``maximum`` apply to JSON numbers only), keyed by the pydantic bound name.
#: Values are decimal strings; :mod:`polytraders.contracts.schemas` enforces them.
DECIMAL_BOUND_KEYWORDS = {
    "gt": "formatExclusiveMinimum",
    "ge": "formatMinimum",
    "lt": "formatExclusiveMaximum",
    "le": "formatMaximum",
}


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"decimal must be finite, got {value!r}")
    return value


def _decimal_type(description: str, **bounds: object) -> object:
    json_schema: dict[str, object] = {
        "type": "string",
        "format": "decimal",
        "pattern": _DECIMAL_PATTERN,
        "description": description,
    }
    json_schema.update({DECIMAL_BOUND_KEYWORDS[bound]: str(value) for bound, value in bounds.items()})
    return Annotated[
        Decimal,
        Field(**bounds),  # type: ignore[arg-type]
        AfterValidator(_finite),
        PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
        WithJsonSchema(json_schema),
    ]


#: Probability / price in the open interval (0, 1), in USDC per share.
Price = _decimal_type("price in USDC per share, a probability in (0, 1)", gt=0, lt=1)
#: Probability in the closed interval [0, 1] (fair values, payouts, marks).
Probability = _decimal_type("probability in [0, 1]", ge=0, le=1)
#: Tick size of a market's price grid (0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001 on the venue).
TickSize = _decimal_type("tick size in USDC per share", gt=0, lt=1)
#: Non-negative share count (conditional tokens).
Shares = _decimal_type("size in shares (outcome tokens), >= 0", ge=0)
#: Signed share count (inventory: positive long).
SignedShares = _decimal_type("signed size in shares (outcome tokens)")
#: Non-negative amount in US cents (e.g. a rewards spread).
Cents = _decimal_type("amount in US cents, >= 0", ge=0)
#: Signed amount of collateral in USDC.
Usdc = _decimal_type("amount in USDC (signed)")
#: A measured quantity (signed) in the unit its object names, e.g. a data-quality finding's
#: observed value and budget (ms, ticks, shares, USDC per share).
Measure = _decimal_type("a measured quantity (signed), in the unit its object names")

#: Integer collateral or share amount in micro-units (x 10^6), as signed by the venue's order struct.
MicroUnits = Annotated[int, Field(ge=0, description="amount in micro-units (x 10^6)")]

#: Epoch milliseconds UTC. The bounds reject seconds (< 1e12) and microseconds (>= 1e14).
TimestampMs = Annotated[
    int,
    Field(ge=1_000_000_000_000, lt=100_000_000_000_000, description="epoch milliseconds UTC"),
]
#: A duration in milliseconds.
DurationMs = Annotated[int, Field(ge=0, description="duration in milliseconds")]

#: ERC-1155 position id of an outcome token: a uint256 as a decimal string.
TokenId = Annotated[str, Field(pattern=r"^[0-9]{1,78}$", description="outcome token id (uint256, decimal)")]
#: CTF condition id: 32 bytes, 0x-prefixed hex.
ConditionId = Annotated[
    str, Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="CTF condition id (bytes32, 0x-hex)")
]
#: A bot slug ``<class>.<name>``.
BotSlug = Annotated[
    str,
    Field(pattern=r"^(intel|disc|strat|risk|exec|sec|gov)\.[a-z0-9_]+$", description="bot slug <class>.<name>"),
]
#: A registered reason code.
ReasonCode = Annotated[
    str,
    Field(pattern=r"^(INTEL|DISC|STRAT|RISK|EXEC|SEC|GOV)_[A-Z0-9_]+$", description="registered reason code"),
]
#: sha256 hex digest of a raw payload (provenance).
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="sha256 hex digest")]


class Side(StrEnum):
    """Order side, as the venue spells it."""

    BUY = "BUY"
    SELL = "SELL"


class Quality(StrEnum):
    """Data quality of a normalised observation, worst last."""

    OK = "OK"
    WARN = "WARN"
    HARD = "HARD"
    FAIL = "FAIL"


class OrderType(StrEnum):
    """Venue order types: good-till-cancelled/-date rest; fill-and-kill / fill-or-kill take."""

    GTC = "GTC"
    GTD = "GTD"
    FAK = "FAK"
    FOK = "FOK"


class Decision(StrEnum):
    """A risk bot's verdict on one OrderIntent."""

    APPROVE = "APPROVE"
    REDUCE = "REDUCE"
    REJECT = "REJECT"


class Severity(StrEnum):
    """Severity of a reason code."""

    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"
