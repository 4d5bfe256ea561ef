"""risk.recon_lock: while the latest reconciliation of a token shows local and venue shares
apart by more than the tolerance, PLACE intents are denied (its own token, or every token)."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.risk import recon_lock
from polytraders.bots.risk.context import RiskContext
from polytraders_tests.bots.frames import T0, TOKEN_ID
from polytraders_tests.bots.risk.frames import approve, healthy_context, intents, recon, reject, vote

CODE = "RISK_RECON_DIVERGENCE"
YES, NO, Y2 = TOKEN_ID["yes"], TOKEN_ID["no"], TOKEN_ID["y2"]


def _ctx(*rows: tuple[int, str, str, str]) -> RiskContext:
    return healthy_context(recon=recon(*rows))


def test_vote_when_healthy_then_approve() -> None:
    assert vote(recon_lock, intents()) == [approve()]


def test_vote_when_no_intents_then_empty_vote_frame() -> None:
    assert vote(recon_lock, intents().clear(), _ctx((T0 - 1, YES, "1", "2"))) == []
    assert vote(recon_lock, intents().clear(), _ctx((T0 - 1, YES, "1", "2")), scope="global") == []


def test_config_when_defaults_then_documented_values() -> None:
    assert (recon_lock.Config().tolerance_shares, recon_lock.Config().scope) == (0, "market")


@pytest.mark.parametrize(
    ("local", "venue", "expected"),
    [
        ("10", "10", approve()),
        ("10", "10.000001", reject(CODE)),  # |−0.000001| > 0
        ("10.000001", "10", reject(CODE)),
        ("0", "5", reject(CODE)),  # the venue holds shares the ledger does not know of
    ],
)
def test_vote_when_latest_recon_diverges_then_rejected(local: str, venue: str, expected: tuple) -> None:
    assert vote(recon_lock, intents(), _ctx((T0 - 1_000, YES, local, venue))) == [expected]


@pytest.mark.parametrize(
    ("venue", "expected"),
    [
        ("9.5", approve()),  # |10 − 9.5| = 0.5 = tolerance: in sync
        ("9.499999", reject(CODE)),  # 0.500001 > 0.5
        ("10.5", approve()),
        ("10.500001", reject(CODE)),
    ],
)
def test_vote_when_gap_at_tolerance_then_in_sync(venue: str, expected: tuple) -> None:
    assert vote(recon_lock, intents(), _ctx((T0 - 1_000, YES, "10", venue)), tolerance_shares="0.5") == [expected]


def test_vote_when_sell_on_diverged_token_then_rejected_too() -> None:
    assert vote(recon_lock, intents({"side": "SELL"}), _ctx((T0 - 1_000, YES, "10", "7"))) == [reject(CODE)]


@pytest.mark.parametrize("unknown", [("local_shares",), ("venue_shares",), ("local_shares", "venue_shares")])
def test_vote_when_recon_side_unknown_then_rejected(unknown: tuple[str, ...]) -> None:
    rows = recon((T0 - 1_000, YES, "10", "10")).with_columns(pl.lit(None, pl.Decimal(38, 6)).alias(c) for c in unknown)
    assert vote(recon_lock, intents(), healthy_context(recon=rows)) == [reject(CODE)]


def test_vote_when_token_never_reconciled_then_in_sync() -> None:
    # only the NO token has rows (diverged); the YES intent has none: in sync under scope "market"
    assert vote(recon_lock, intents(), _ctx((T0 - 1_000, NO, "10", "7"))) == [approve()]


def test_vote_when_recon_only_after_the_intent_then_not_seen() -> None:
    assert vote(recon_lock, intents(), _ctx((T0 + 1, YES, "10", "7"))) == [approve()]


def test_vote_when_recon_at_the_intent_time_then_seen() -> None:
    assert vote(recon_lock, intents(), _ctx((T0, YES, "10", "7"))) == [reject(CODE)]


def test_vote_when_divergence_clears_then_approved_from_the_agreeing_row() -> None:
    ctx = _ctx((T0 - 3_000, YES, "10", "10"), (T0 - 2_000, YES, "10", "7"), (T0, YES, "7", "7"))
    frame = intents({"ts_ms": T0 - 2_001}, {"ts_ms": T0 - 2_000}, {"ts_ms": T0 - 1}, {"ts_ms": T0})
    assert vote(recon_lock, frame, ctx) == [approve(), reject(CODE), reject(CODE), approve()]


def test_vote_when_two_rows_at_one_time_then_the_last_counts() -> None:
    ctx = _ctx((T0 - 1_000, YES, "10", "7"), (T0 - 1_000, YES, "7", "7"))
    assert vote(recon_lock, intents(), ctx) == [approve()]
    assert vote(recon_lock, intents(), ctx, scope="global") == [approve()]
    ctx = _ctx((T0 - 1_000, YES, "7", "7"), (T0 - 1_000, YES, "10", "7"))
    assert vote(recon_lock, intents(), ctx) == [reject(CODE)]
    assert vote(recon_lock, intents(), ctx, scope="global") == [reject(CODE)]


def test_vote_when_scope_market_then_only_the_diverged_tokens_intents_rejected() -> None:
    ctx = _ctx((T0 - 1_000, NO, "10", "7"), (T0 - 1_000, YES, "4", "4"))
    frame = intents({"token_id": YES}, {"token_id": NO}, {"token_id": Y2}, {"token_id": NO, "side": "SELL"})
    assert vote(recon_lock, frame, ctx) == [approve(), reject(CODE), approve(), reject(CODE)]


def test_vote_when_scope_global_then_any_diverged_token_rejects_every_intent() -> None:
    # NO diverges over [T0 − 2000, T0 − 1000); Y2 diverges from T0 − 500 on; YES always agrees
    ctx = _ctx(
        (T0 - 3_000, YES, "4", "4"),
        (T0 - 2_000, NO, "10", "7"),
        (T0 - 1_500, NO, "10", "8"),  # still diverged: the count must not double
        (T0 - 1_000, NO, "7", "7"),
        (T0 - 500, Y2, "1", "0"),
    )
    frame = intents(
        {"ts_ms": T0 - 2_500, "token_id": YES},  # nothing diverged yet
        {"ts_ms": T0 - 2_000, "token_id": YES},  # NO diverged
        {"ts_ms": T0 - 1_000, "token_id": YES},  # NO agrees again, count back to 0
        {"ts_ms": T0 - 500, "token_id": YES},  # Y2 diverged
    )
    assert vote(recon_lock, frame, ctx, scope="global") == [approve(), reject(CODE), approve(), reject(CODE)]
    assert vote(recon_lock, frame, ctx) == [approve()] * 4  # scope "market": YES is in sync throughout


def test_vote_when_same_input_twice_then_same_output() -> None:
    ctx = _ctx((T0 - 1_000, NO, "10", "7"))
    frame = intents({"token_id": YES}, {"token_id": NO})
    assert vote(recon_lock, frame, ctx) == vote(recon_lock, frame, ctx) == [approve(), reject(CODE)]


@pytest.mark.parametrize("bad", [{"tolerance_shares": "-0.000001"}, {"scope": "token"}, {"unknown": 1}])
def test_config_when_invalid_then_validation_error(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        recon_lock.Config(**bad)
