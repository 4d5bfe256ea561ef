"""The shadow profile: which bots run, in which order, with which configs.

Bot modules are found by slug (``polytraders.bots.<class>.<name>``); each config is the bot's
documented defaults unless the profile overrides it.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field
from types import ModuleType

from polytraders.bots import manifest
from polytraders.bots.base import BotConfig
from polytraders.runtime.risk_pipeline import RiskStep

#: The declared risk order (S7), all 19 risk bots, in two parts.
#:
#: First the checks that need only the data (``STATEFUL = False``): global denials (kill switch,
#: compliance), the venue connection (heartbeats, the user stream), the market (status, oracle,
#: grid epoch, data liveness), the order itself (validity, price band) and the book's capacity
#: (market quality, which may REDUCE). The gate runs this head once over the whole day.
#: Then the checks that need the portfolio or what the gate itself sent: a position we cannot
#: trust, API health and the request budget, the end-date window (reduce-only needs the
#: position), drawdown and realised-loss limits, and the exposure limits that REDUCE last.
RISK_ORDER: tuple[str, ...] = (
    "risk.killswitch",
    "risk.compliance_gate",
    "risk.heartbeat_health",
    "risk.user_stream_blind",
    "risk.market_halt",
    "risk.uma_dispute",
    "risk.tick_epoch",
    "risk.stale_book",
    "risk.order_validity",
    "risk.price_band",
    "risk.market_quality",
    "risk.recon_lock",
    "risk.api_degradation",
    "risk.rate_limit",
    "risk.resolution_proximity",
    "risk.drawdown",
    "risk.loss_breaker",
    "risk.event_group_worstcase",
    "risk.exposure_caps",
)


#: The bots of S4 (every intel bot) and of S1–S2 discovery (every disc bot), in manifest order.
SIGNAL_BOTS: tuple[str, ...] = tuple(s.slug for s in manifest.by_class()["intel"])
DISCOVERY_BOTS: tuple[str, ...] = tuple(s.slug for s in manifest.by_class()["disc"])


def asset_name(slug: str) -> str:
    """The stage table / asset name of a bot: its slug with ``_`` for ``.``."""
    return slug.replace(".", "_")


def bot_module(slug: str) -> ModuleType:
    """The module of bot ``slug``; raises ModuleNotFoundError if it is not implemented."""
    bot_class, name = slug.split(".", 1)
    return importlib.import_module(f"polytraders.bots.{bot_class}.{name}")


@dataclass(frozen=True, slots=True)
class Profile:
    """Bot configs by slug (missing slugs use the bot's defaults), the risk order, and the markets
    each risk bot quarantines (slug -> condition ids; quarantine mode)."""

    configs: dict[str, BotConfig] = field(default_factory=dict)
    risk_order: tuple[str, ...] = RISK_ORDER
    quarantine: dict[str, frozenset[str]] = field(default_factory=dict)

    def config(self, slug: str) -> BotConfig:
        """Effective config of ``slug``."""
        return self.configs.get(slug) or bot_module(slug).Config()

    def risk_steps(self) -> list[RiskStep]:
        """The risk pipeline in declared order. Raises ValueError when the order names a slug
        twice or a slug that is not a risk bot of the manifest."""
        specs = {s.slug: s for s in manifest.by_class()["risk"]}
        unknown = [s for s in self.risk_order if s not in specs]
        if unknown or len(set(self.risk_order)) != len(self.risk_order):
            raise ValueError(f"risk order must list distinct manifest risk bots; bad: {unknown or self.risk_order}")
        return [RiskStep(s, bot_module(s).vote, self.config(s), specs[s].reason_codes,
                         self.quarantine.get(s, frozenset()), stateful=getattr(bot_module(s), "STATEFUL", True))
                for s in self.risk_order]


#: Builder code the shadow profile puts on every order: a placeholder bytes32 (sha256 of
#: "polytraders-shadow"), not a registered builder. An order without one is never sent.
SHADOW_BUILDER_CODE = "0x" + hashlib.sha256(b"polytraders-shadow").hexdigest()

SHADOW = Profile(configs={
    "exec.order_shaper": bot_module("exec.order_shaper").Config(builder_code=SHADOW_BUILDER_CODE),
})
