"""Benchmark: CLOB V2 order signing (EIP-712 through py-clob-client-v2) and the signature self-test.

Builds ``--plans`` execution plans (distinct intents, so distinct salts), signs them with a
throwaway test key on 1 process and on ``--workers`` processes (``ProcessPoolExecutor``, each
worker signs its contiguous share with its own key), then runs the self-test (order hash
recomputed from the request + signer recovered) over the signed orders on 1 process. Reports
orders per second. Runs in well under a minute on 2 cores at the defaults.

Usage: ``python benchmarks/bench_signing.py [--plans 2000] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal

from polytraders.adapters.polymarket.signing import OrderSigner, SigningKey
from polytraders.adapters.polymarket.wallets import Wallet
from polytraders.bots.sec.signature_selftest import check
from polytraders.contracts import ExecutionPlan, SignedOrderRequest

TS = 1_790_553_600_000
BUILDER = "0x" + "b1" * 32


def plans(start: int, stop: int) -> list[ExecutionPlan]:
    """Plans ``start`` .. ``stop - 1``: BUY 10 at 0.54 (5.4 USDC for 10 shares), neg-risk every other one."""
    return [ExecutionPlan(
        plan_id=f"p-{i}", intent_id=f"i-{i}", condition_id="0x" + "a" * 64, token_id=str(10**70 + i), ts_ms=TS + i,
        side="BUY", price=Decimal("0.54"), size=Decimal("10"), tick_size=Decimal("0.01"), neg_risk=i % 2 == 1,
        order_type="GTC", post_only=True, maker_amount=5_400_000, taker_amount=10_000_000, builder_code=BUILDER,
    ) for i in range(start, stop)]  # fmt: skip


def sign_share(bounds: tuple[int, int]) -> int:
    """Sign plans ``bounds[0] .. bounds[1] - 1`` with a fresh key (EOA); the count signed."""
    key = SigningKey.generate()
    signer = OrderSigner(key, Wallet(0, key.address), 137)
    return sum(isinstance(signer.sign(plan), SignedOrderRequest) for plan in plans(*bounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    n, workers = args.plans, args.workers

    key = SigningKey.generate()
    signer = OrderSigner(key, Wallet(0, key.address), 137)
    batch = plans(0, n)
    started = time.perf_counter()
    signed = [signer.sign(plan) for plan in batch]
    one_s = time.perf_counter() - started

    shares = [(n * w // workers, n * (w + 1) // workers) for w in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(int, range(workers)))  # start the workers outside the timing
        started = time.perf_counter()
        count = sum(pool.map(sign_share, shares))
        many_s = time.perf_counter() - started

    started = time.perf_counter()
    failed = sum(check(request, key.address) is not None for request in signed)
    check_s = time.perf_counter() - started

    rows = [("sign, 1 process", n, one_s), (f"sign, {workers} processes", count, many_s),
            ("self-test (hash + recover), 1 process", n, check_s)]
    print(f"{'step':40s} {'orders':>7s} {'seconds':>8s} {'orders/s':>9s}")  # noqa: T201 - a benchmark's output is its report
    for name, orders, seconds in rows:
        print(f"{name:40s} {orders:7,d} {seconds:8.2f} {orders / seconds:9,.0f}")  # noqa: T201 - a benchmark's output is its report
    print(f"self-test failures: {failed} (expected 0)")  # noqa: T201 - a benchmark's output is its report


if __name__ == "__main__":
    main()
