"""The wire models: construction, immutability, strictness, exact decimals and domain rules."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from polytraders.contracts import (
    WIRE_MODELS,
    BookLevel,
    GuardVerdict,
    OrderIntent,
    RewardsParams,
    RiskVote,
    TradePrint,
    WireModel,
)
from polytraders.contracts.types import DECIMAL_BOUND_KEYWORDS

D = Decimal
CONDITION = "0x" + "3f" * 32
TOKEN_YES = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
TS = 1_727_500_000_000


def _decimal_paths(value: object, path: str = "") -> dict[str, object]:
    """JSON path -> value for every Decimal inside a python-mode dump."""
    if isinstance(value, Decimal):
        return {path: value}
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return {}
    found: dict[str, object] = {}
    for key, child in items:
        found |= _decimal_paths(child, f"{path}/{key}")
    return found


def _json_at(document: object, path: str) -> object:
    for part in path.strip("/").split("/"):
        document = document[int(part)] if isinstance(document, list) else document[part]  # type: ignore[index]
    return document


def test_construct_when_values_are_hand_set_then_fields_read_back(
    samples: dict[str, list[WireModel]], make_book: Callable[..., Any], make_instrument: Callable[..., Any]
) -> None:
    snapshot = make_book()
    assert snapshot.bids[0].price == D("0.964")
    assert snapshot.asks[0].size == D("33.000001")
    assert snapshot.freshness.age_ms == 120
    record = make_instrument()
    assert [token.outcome for token in record.tokens] == ["Yes", "No"]
    assert record.fees is not None and record.fees.taker_fee_rate == D("0.02")
    assert all(isinstance(obj, WIRE_MODELS[name]) for name, objs in samples.items() for obj in objs)


@pytest.mark.parametrize("name", sorted(WIRE_MODELS))
def test_assign_when_model_is_frozen_then_raises(name: str, samples: dict[str, list[WireModel]]) -> None:
    obj = samples[name][0]
    field = next(iter(type(obj).model_fields))
    with pytest.raises(ValidationError, match="frozen"):
        setattr(obj, field, getattr(obj, field))


@pytest.mark.parametrize("name", sorted(WIRE_MODELS))
def test_validate_when_extra_field_then_rejected(name: str, samples: dict[str, list[WireModel]]) -> None:
    data = samples[name][0].model_dump()
    with pytest.raises(ValidationError, match="extra_forbidden|Extra inputs"):
        WIRE_MODELS[name].model_validate({**data, "unexpected": 1})


@pytest.mark.parametrize("name", sorted(WIRE_MODELS))
def test_dump_json_when_model_has_decimals_then_they_are_plain_decimal_strings(
    name: str, samples: dict[str, list[WireModel]]
) -> None:
    for obj in samples[name]:
        wire = json.loads(obj.model_dump_json())
        for path, value in _decimal_paths(obj.model_dump()).items():
            assert _json_at(wire, path) == format(value, "f"), path
        assert type(obj).model_validate_json(obj.model_dump_json()) == obj


def test_dump_json_when_decimal_has_exponent_then_written_without_exponent() -> None:
    rewards = RewardsParams(min_size=D("5E+1"), max_spread_cents=D("1E+1"))
    assert json.loads(rewards.model_dump_json()) == {"min_size": "50", "max_spread_cents": "10"}


def _all_models(base: type[WireModel] = WireModel) -> list[type[WireModel]]:
    return [model for sub in base.__subclasses__() for model in (sub, *_all_models(sub))]


@pytest.mark.parametrize("model", _all_models(), ids=lambda model: model.__name__)
def test_export_json_schema_when_field_is_decimal_then_format_decimal_with_its_bounds(
    model: type[WireModel],
) -> None:
    """Every (required) Decimal field publishes ``format: decimal`` and the model's bounds.

    The frames read ``format`` to pick ``pl.Decimal``; ``validate_payload`` enforces the bounds.
    """
    properties = model.model_json_schema(mode="serialization")["properties"]
    for field, info in model.model_fields.items():
        if info.annotation is not Decimal:
            continue
        published = properties[field]
        assert published.get("format") == "decimal", f"{model.__name__}.{field}"
        bounds = {
            DECIMAL_BOUND_KEYWORDS[attr]: Decimal(getattr(meta, attr))
            for meta in info.metadata
            for attr in DECIMAL_BOUND_KEYWORDS
            if hasattr(meta, attr)
        }
        assert {key: Decimal(published[key]) for key in bounds} == bounds, f"{model.__name__}.{field}"


@pytest.mark.parametrize("price", ["0", "1", "1.5", "-0.1"])
def test_construct_when_price_outside_open_unit_interval_then_rejected(
    price: str, make_intent: Callable[..., Any]
) -> None:
    with pytest.raises(ValidationError, match="price"):
        BookLevel(price=D(price), size=D("1"))
    with pytest.raises(ValidationError, match="price"):
        make_intent(price=D(price))


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
def test_construct_when_decimal_not_finite_then_rejected(value: str) -> None:
    with pytest.raises(ValidationError):
        BookLevel(price=D("0.5"), size=D(value))


def test_construct_when_size_negative_then_rejected() -> None:
    with pytest.raises(ValidationError, match="size"):
        BookLevel(price=D("0.5"), size=D("-1"))


@pytest.mark.parametrize("ts", [1_727_500_000, 1_727_500_000_000_000])
def test_construct_when_timestamp_in_seconds_or_microseconds_then_rejected(ts: int) -> None:
    with pytest.raises(ValidationError, match="ts_ms"):
        TradePrint(
            condition_id=CONDITION,
            token_id=TOKEN_YES,
            ts_ms=ts,
            price=D("0.5"),
            size=D("1"),
            side="BUY",
            provenance_hash="ab" * 32,
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [("token_id", "0x12"), ("condition_id", "0x" + "3f" * 31), ("token_id", "1" * 79)],
)
def test_construct_when_id_malformed_then_rejected(field: str, value: str, make_book: Callable[..., Any]) -> None:
    with pytest.raises(ValidationError, match=field):
        make_book(**{field: value})


def test_construct_when_price_exact_multiple_of_tick_then_valid(make_book: Callable[..., Any]) -> None:
    """0.965 on a 0.001 grid: exact decimal arithmetic (a float modulo would say off-grid)."""
    assert 0.965 % 0.001 != 0  # the float trap this guards against
    snapshot = make_book(tick_size=D("0.001"), asks=(BookLevel(price=D("0.965"), size=D("1")),))
    assert snapshot.asks[0].price == D("0.965")


@pytest.mark.parametrize(
    ("tick", "bids", "asks", "message"),
    [
        (D("0.01"), [("0.425", "1")], [("0.45", "1")], "off the 0.01 tick grid"),
        (D("0.01"), [("0.42", "1")], [("0.455", "1")], "off the 0.01 tick grid"),
        (
            D("0.01"),
            [("0.42", "1"), ("0.43", "1")],
            [("0.45", "1")],
            "bid levels are not strictly best-first",
        ),
        (
            D("0.01"),
            [("0.42", "1")],
            [("0.46", "1"), ("0.45", "1")],
            "ask levels are not strictly best-first",
        ),
        (
            D("0.01"),
            [("0.42", "1"), ("0.42", "2")],
            [("0.45", "1")],
            "bid levels are not strictly best-first",
        ),
        (D("0.01"), [("0.45", "1")], [("0.45", "1")], "crossed book"),
        (D("0.01"), [("0.46", "1")], [("0.45", "1")], "crossed book"),
    ],
)
def test_construct_book_when_off_grid_unsorted_or_crossed_then_rejected(
    tick: Decimal,
    bids: list[tuple[str, str]],
    asks: list[tuple[str, str]],
    message: str,
    make_book: Callable[..., Any],
) -> None:
    def levels(pairs: list[tuple[str, str]]) -> tuple[BookLevel, ...]:
        return tuple(BookLevel(price=D(price), size=D(size)) for price, size in pairs)

    with pytest.raises(ValidationError, match=message):
        make_book(tick_size=tick, bids=levels(bids), asks=levels(asks))


def test_construct_vote_when_reject_without_reason_then_rejected() -> None:
    with pytest.raises(ValidationError, match="at least one reason code"):
        RiskVote(intent_id="i-1", bot="risk.exposure", ts_ms=TS, decision="REJECT", approved_size=D("0"))
    with pytest.raises(ValidationError, match="at least one reason code"):
        RiskVote(intent_id="i-1", bot="risk.exposure", ts_ms=TS, decision="REDUCE", approved_size=D("5"))


def test_construct_vote_when_reason_code_malformed_then_rejected() -> None:
    with pytest.raises(ValidationError, match="reason_codes"):
        RiskVote(
            intent_id="i-1",
            bot="risk.exposure",
            ts_ms=TS,
            decision="REJECT",
            reason_codes=("stale",),
            approved_size=D("0"),
        )


def test_construct_intent_when_cancel_without_target_then_rejected(make_intent: Callable[..., Any]) -> None:
    with pytest.raises(ValidationError, match="CANCEL intent names the intent it cancels"):
        make_intent(kind="CANCEL")


def test_construct_intent_when_place_names_a_target_then_rejected(make_intent: Callable[..., Any]) -> None:
    with pytest.raises(ValidationError, match="CANCEL intent names the intent it cancels"):
        make_intent(kind="PLACE", cancels_intent_id="i-0")


def test_construct_intent_when_defaults_then_gtc_post_only_place(make_intent: Callable[..., Any]) -> None:
    placed = make_intent()
    cancel = make_intent(intent_id="i-2", kind="CANCEL", cancels_intent_id="i-1")
    assert (placed.kind, placed.order_type, placed.post_only, placed.cancels_intent_id) == (
        "PLACE",
        "GTC",
        True,
        None,
    )
    assert cancel.cancels_intent_id == "i-1"
    assert isinstance(cancel, OrderIntent)


def test_construct_instrument_when_fewer_than_two_tokens_then_rejected(
    make_instrument: Callable[..., Any],
) -> None:
    record = make_instrument()
    with pytest.raises(ValidationError, match="tokens"):
        make_instrument(tokens=record.tokens[:1])


def test_construct_when_finding_severity_is_not_the_registry_s_then_rejected(
    samples: dict[str, list[WireModel]],
) -> None:
    finding = samples["DataQualityFinding"][0].model_dump()
    assert finding["severity"] == "WARN"  # GOV_DQ_STALE_BOOK is WARN in the registry
    with pytest.raises(ValidationError, match="the registry's for GOV_DQ_STALE_BOOK"):
        type(samples["DataQualityFinding"][0]).model_validate({**finding, "severity": "ERROR"})
    with pytest.raises(ValidationError, match="GOV_DQ_NOT_A_CODE is not registered"):
        type(samples["DataQualityFinding"][0]).model_validate({**finding, "reason_code": "GOV_DQ_NOT_A_CODE"})


@pytest.mark.parametrize(("passed", "codes"), [(True, ("SEC_NOT_ALLOW_LISTED",)), (False, ())])
def test_construct_guard_verdict_when_codes_do_not_fit_the_outcome_then_rejected(passed, codes) -> None:
    with pytest.raises(ValidationError, match="a refused check carries its reason code"):
        GuardVerdict(plan_id="p", intent_id="i", bot="sec.allowance_checker", ts_ms=1_700_000_000_000,
                     passed=passed, reason_codes=codes)
