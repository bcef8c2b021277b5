"""Command palette (``:`` or ``ctrl+p``): jump to a cluster, repository or loaded snapshot.

The hits are built from what the main screen already knows (connected sources, listed
repositories, loaded snapshot rows), so typing never triggers a request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from esnap_tui.ui.screens.main import MainScreen

MAX_SNAPSHOT_HITS = 2000


class EsnapCommands(Provider):
    def _main(self) -> MainScreen | None:
        from esnap_tui.ui.screens.main import MainScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def _jump(self, source: str, repo: str | None = None, snapshot: str | None = None) -> None:
        main = self._main()
        if main is None:
            return
        while self.app.screen is not main and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        main.jump_to(source, repo, snapshot)

    def _entries(self, *, with_snapshots: bool) -> list[tuple[str, Callable[[], object], str]]:
        main = self._main()
        if main is None or main.services is None:
            return []
        entries: list[tuple[str, Callable[[], object], str]] = []
        for source in main.services.sources:
            label = "offline" if source.kind == "offline" else "cluster"
            entries.append(
                (f"{label}: {source.name}", partial(self._jump, source.key),
                 f"{source.state.symbol} {source.state.headline}")
            )
        for source_key, refs in main.repo_cache.items():
            source = main.services.get(source_key)
            for ref in refs:
                entries.append(
                    (f"repository: {source.name}/{ref.name}",
                     partial(self._jump, source_key, ref.name), ref.type or "")
                )
        entries.append(("find snapshots containing an index", main.action_find_index,
                        "search every repository for an index name or pattern"))
        entries.append(("sort snapshots", main.action_sort, "cycle the snapshot order"))
        if with_snapshots and main.current_source is not None and main.current_repo is not None:
            source_key, repo = main.current_source.key, main.current_repo.name
            for name in list(main.rows)[:MAX_SNAPSHOT_HITS]:
                summary = main.rows[name]
                entries.append(
                    (f"snapshot: {repo}/{name}", partial(self._jump, source_key, repo, name),
                     str(summary.state or ""))
                )
        return entries

    async def discover(self) -> Hits:
        for title, callback, help_text in self._entries(with_snapshots=False):
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._entries(with_snapshots=True):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text)
