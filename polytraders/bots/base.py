"""What every bot shares: the typed config base and the rejection value (defined with the reason-code
registry, so adapters can refuse with it too)."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict

from polytraders.contracts.reason_codes import Rejection

__all__ = ["BotConfig", "Rejection"]


class BotConfig(BaseModel):
    """Base of every bot's ``Config``: frozen, extra fields forbidden, units in field names.

    ``Field(description=...)`` on each parameter is the one place it is documented.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    def version_hash(self) -> str:
        """16-hex-digit hash of the effective config (the envelope's ``config_version``)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]

