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
from polytraders.runtime.risk_gate import RiskStep

#: The declared risk order (S7). Global denials first (kill switch, compliance), then the
#: market checks (its status and grid, then its data's liveness), then state-dependent limits;
#: exposure caps last because they REDUCE.
RISK_ORDER: tuple[str, ...] = (
    "risk.killswitch",
    "risk.compliance_gate",
    "risk.market_halt",
    "risk.stale_book",
    "risk.drawdown",
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
    """Bot configs by slug (missing slugs use the bot's defaults) and the risk order."""

    configs: dict[str, BotConfig] = field(default_factory=dict)
    risk_order: tuple[str, ...] = RISK_ORDER

    def config(self, slug: str) -> BotConfig:
        """Effective config of ``slug``."""
        return self.configs.get(slug) or bot_module(slug).Config()

    def risk_steps(self) -> list[RiskStep]:
        """The risk pipeline in declared order."""
        return [RiskStep(s, bot_module(s).evaluate, self.config(s)) for s in self.risk_order]


#: Builder code the shadow profile puts on every order: a placeholder bytes32 (sha256 of
#: "polytraders-shadow"), not a registered builder. An order without one is never sent.
SHADOW_BUILDER_CODE = "0x" + hashlib.sha256(b"polytraders-shadow").hexdigest()

SHADOW = Profile(configs={
    "exec.order_shaper": bot_module("exec.order_shaper").Config(builder_code=SHADOW_BUILDER_CODE),
})
