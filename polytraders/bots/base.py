"""What every bot shares: the typed config base and the rejection value."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from polytraders.contracts import reason_codes


class BotConfig(BaseModel):
    """Base of every bot's ``Config``: frozen, extra fields forbidden, units in field names.

    ``Field(description=...)`` on each parameter is the one place it is documented.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    def version_hash(self) -> str:
        """16-hex-digit hash of the effective config (the envelope's ``config_version``)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Rejection:
    """A denial as a value: a registered reason code plus structured details.

    Raises ``UnknownReasonCodeError`` at construction if the code is not registered.
    """

    code: str
    details: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        reason_codes.require(self.code)
