"""runtime.risk_shadow: which recorded days a replay can take, and a broken snapshot named."""

from __future__ import annotations

import pytest

from polytraders.runtime.event_store import snapshot_path
from polytraders.runtime.risk_shadow import recorded_days, recorded_intents


def test_recorded_days_when_stray_folders_then_only_exported_dates_oldest_first(tmp_path) -> None:
    for day in ("2026-09-28", "2026-08-12", "garbage", "2026-09-30"):
        path = snapshot_path(tmp_path, day)
        path.parent.mkdir(parents=True)
        if day != "2026-09-30":  # a day folder without its snapshot file is not recorded
            path.write_bytes(b"PAR1")
    assert recorded_days(tmp_path) == ["2026-08-12", "2026-09-28"]
    assert recorded_days(tmp_path / "nothing") == []


def test_recorded_intents_when_snapshot_truncated_then_value_error_naming_the_file(tmp_path) -> None:
    path = snapshot_path(tmp_path, "2026-09-28")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PAR1 truncated")
    with pytest.raises(ValueError, match="not a readable envelope snapshot"):
        recorded_intents(tmp_path, "2026-09-28")
