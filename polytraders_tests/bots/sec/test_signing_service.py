"""sec.signing_service: only approved intents are signed, only with a signer for the configured chain."""

from __future__ import annotations

import pydantic
import pytest

from polytraders.adapters.polymarket.signing import OrderSigner, SigningKey, recover_signer
from polytraders.adapters.polymarket.wallets import Wallet
from polytraders.bots.base import Rejection
from polytraders.bots.sec import signing_service as service
from polytraders.contracts import SignedOrderRequest
from polytraders_tests.adapters.test_signing import execution_plan

KEY = SigningKey.generate()
SIGNER = OrderSigner(KEY, Wallet(0, KEY.address), 137)


def test_approved_plan_is_signed_by_the_key() -> None:
    out = service.sign(execution_plan(), {"i-0", "i-1"}, SIGNER, service.Config())
    assert isinstance(out, SignedOrderRequest)
    assert (out.plan_id, out.chain_id, recover_signer(out)) == ("p-1", 137, KEY.address)
    assert out == SIGNER.sign(execution_plan())  # the service adds nothing: same hash, same signature


def test_unapproved_intent_is_not_signed_even_without_signer() -> None:
    # approval is checked first: an unapproved plan is refused whatever the signer
    for signer in (SIGNER, None):
        out = service.sign(execution_plan(intent_id="i-9"), ["i-1"], signer, service.Config())
        assert out == Rejection("SEC_NOT_APPROVED", {"plan_id": "p-1", "intent_id": "i-9"})
    assert service.sign(execution_plan(), (), SIGNER, service.Config()).code == "SEC_NOT_APPROVED"  # none approved


def test_no_signer_or_signer_for_another_chain_is_unavailable() -> None:
    out = service.sign(execution_plan(), {"i-1"}, None, service.Config())
    assert out == Rejection("SEC_SIGNER_UNAVAILABLE", {"plan_id": "p-1", "problem": "no signer (no key loaded)"})
    amoy = OrderSigner(KEY, Wallet(0, KEY.address), 80002)
    out = service.sign(execution_plan(), {"i-1"}, amoy, service.Config())  # default chain 137
    problem = "signer is for chain 80002, not 137"
    assert out == Rejection("SEC_SIGNER_UNAVAILABLE", {"plan_id": "p-1", "problem": problem})
    out = service.sign(execution_plan(), {"i-1"}, amoy, service.Config(chain_id=80002))
    assert isinstance(out, SignedOrderRequest) and out.chain_id == 80002


def test_adapter_refusals_pass_through() -> None:
    out = service.sign(execution_plan(builder_code=None), {"i-1"}, SIGNER, service.Config())
    assert out == Rejection("EXEC_NO_BUILDER_CODE", {"plan_id": "p-1", "builder_code": "None"})
    unknown = execution_plan().model_copy(update={"neg_risk": None})
    assert service.sign(unknown, {"i-1"}, SIGNER, service.Config()).code == "SEC_NEG_RISK_UNKNOWN"


def test_config_default_and_validation() -> None:
    assert service.Config().chain_id == 137
    with pytest.raises(pydantic.ValidationError):
        service.Config(chain_id=1)
    with pytest.raises(pydantic.ValidationError):
        service.Config(extra=1)
