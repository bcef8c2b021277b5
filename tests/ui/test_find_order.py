"""The index search lists the newest snapshots first even where the catalogue has no times."""

from __future__ import annotations

from pathlib import Path

from esnap_tui.config import OfflineRepositoryConfig
from esnap_tui.ui.services import OfflineSource


async def test_matches_from_a_catalogue_without_times_are_newest_first(
    real_repositories: Path,
) -> None:
    # ES 7.10 wrote this catalogue without times, the older snapshot listed first
    source = OfflineSource(OfflineRepositoryConfig(
        name="double", path=real_repositories / "ES_7_10_Double"))
    try:
        result = await source.find_index("double", "posts_*")
    finally:
        await source.close()
    found = [(summary.name, summary.start_time_ms) for summary, _ in result.matches]
    assert found == [("global_state_snapshot_2", 1711120745689),
                     ("global_state_snapshot", 1711120727418)]
    assert [indices for _, indices in result.matches] == [
        ["posts_2024_01_01"], ["posts_2023_02_25", "posts_2024_01_01"]]
