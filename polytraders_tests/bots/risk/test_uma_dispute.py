"""risk.uma_dispute: BUYs are denied while the market's UMA resolution status is a blocking one;
SELLs pass; a null status (no resolution activity) approves."""

from __future__ import annotations

import pydantic
import pytest

from polytraders.bots.risk import uma_dispute
from polytraders_tests.bots.risk.frames import approve, intents, reject, vote

CODE = "RISK_UMA_DISPUTE"


def test_vote_when_healthy_then_approve() -> None:
    assert vote(uma_dispute, intents()) == [approve()]  # status null


def test_vote_when_no_intents_then_empty_vote_frame() -> None:
    assert vote(uma_dispute, intents().clear()) == []


def test_config_when_defaults_then_the_five_lifecycle_statuses() -> None:
    assert uma_dispute.Config().blocking_statuses == ("proposed", "reproposed", "challenged", "disputed", "resolved")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("proposed", reject(CODE)),
        ("reproposed", reject(CODE)),
        ("challenged", reject(CODE)),
        ("disputed", reject(CODE)),
        ("resolved", reject(CODE)),  # as recorded in Gamma payloads of closed markets
        ("Disputed", reject(CODE)),  # compared in lower case
        ("posed", approve()),  # a request with no proposal yet
        ("", approve()),
        (None, approve()),  # no resolution activity
    ],
)
def test_vote_when_status_then_buy_blocked_only_by_blocking_ones(status: str | None, expected: tuple) -> None:
    assert vote(uma_dispute, intents({"uma_resolution_status": status})) == [expected]


@pytest.mark.parametrize("status", ["proposed", "disputed", "resolved", None])
def test_vote_when_sell_then_approved_whatever_the_status(status: str | None) -> None:
    assert vote(uma_dispute, intents({"side": "SELL", "uma_resolution_status": status})) == [approve()]


def test_vote_when_statuses_configured_then_only_those_block() -> None:
    frame = intents({"uma_resolution_status": "proposed"}, {"uma_resolution_status": "disputed"})
    assert vote(uma_dispute, frame, blocking_statuses=("disputed",)) == [approve(), reject(CODE)]


def test_vote_when_several_rows_then_each_judged_in_order() -> None:
    frame = intents(
        {"uma_resolution_status": "disputed"},
        {"uma_resolution_status": "disputed", "side": "SELL"},
        {"uma_resolution_status": None},
        {"uma_resolution_status": "resolved", "size": "7"},
    )
    assert vote(uma_dispute, frame) == [reject(CODE), approve(), approve(), reject(CODE)]
    assert vote(uma_dispute, frame) == vote(uma_dispute, frame)  # deterministic


@pytest.mark.parametrize(
    "bad",
    [{"blocking_statuses": ()}, {"blocking_statuses": ("Disputed",)}, {"blocking_statuses": ("",)}, {"unknown": 1}],
)
def test_config_when_invalid_then_validation_error(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        uma_dispute.Config(**bad)
