"""Restores in flight on every reachable cluster, started by anyone: a list to watch one.

Why at start-up too: the point of following from ``_recovery`` is that closing esnap or losing
SSH loses nothing; the next esnap says what is still running and offers to watch it.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from esnap_tui.ui.bindings import INFLIGHT, bindings_for
from esnap_tui.ui.services import Services, format_time, restores_in_flight


def describe(cluster: str, restore: Any) -> str:
    repo = f"{restore.repository}:" if restore.repository else ""
    names = ", ".join(restore.indices[:3])
    if len(restore.indices) > 3:
        names += f" +{len(restore.indices) - 3}"
    when = f" · since {format_time(restore.started_ms)}" if restore.started_ms else ""
    return f"{cluster}: {repo}{restore.snapshot} → {names}{when}"


class RestoresInFlightScreen(ModalScreen[None]):
    BINDINGS = bindings_for(INFLIGHT)
    DEFAULT_CSS = """
    RestoresInFlightScreen #inflight-list { height: auto; max-height: 16; border: none; }
    RestoresInFlightScreen #inflight-message { height: auto; padding: 1 0; }
    """

    def __init__(self, services: Services, found: list[tuple[Any, Any]] | None = None) -> None:
        super().__init__()
        self.services = services
        self.found = found

    def compose(self) -> ComposeResult:
        with Vertical(id="inflight-dialog", classes="dialog") as box:
            box.border_title = "Restores in flight"
            box.border_subtitle = "enter watch · r look again · esc close"
            yield Static(id="inflight-message", markup=False)
            yield OptionList(id="inflight-list")

    def on_mount(self) -> None:
        if self.found is None:
            self.refresh_list()
        else:
            self._show(self.found)

    def action_refresh(self) -> None:
        self.refresh_list()

    @work(exclusive=True, group="restores-in-flight-list", exit_on_error=False)
    async def refresh_list(self) -> None:
        box = self.query_one("#inflight-dialog")
        box.loading = True
        try:
            found = await restores_in_flight(self.services)
        finally:
            box.loading = False
        self._show(found)

    def _show(self, found: list[tuple[Any, Any]]) -> None:
        self.found = found
        options = self.query_one("#inflight-list", OptionList)
        options.clear_options()
        for source, restore in found:
            options.add_option(Option(describe(source.name, restore)))
        clusters = sum(1 for s in self.services.sources if s.kind == "cluster")
        message = self.query_one("#inflight-message", Static)
        if found:
            message.update(f"{len(found)} restore(s) running (asked {clusters} cluster(s); "
                           "unreachable ones are skipped). Enter watches one.")
            options.display = True
            options.highlighted = 0
            options.focus()
        else:
            message.update(f"No restore is running on the {clusters} reachable cluster(s).")
            options.display = False

    @on(OptionList.OptionSelected, "#inflight-list")
    def _watch(self, event: OptionList.OptionSelected) -> None:
        from esnap_tui.ui.screens.restore.monitor import RestoreMonitorScreen

        assert self.found is not None
        source, restore = self.found[event.option_index]
        self.dismiss()
        self.app.push_screen(RestoreMonitorScreen.attached(self.services, source, restore))

    def action_close(self) -> None:
        self.dismiss()


async def announce_restores_in_flight(app: Any) -> None:
    """At start-up: when restores are running anywhere, say so and how to watch them."""
    found = await restores_in_flight(app.services)
    if not found:
        return
    first_cluster, first = found[0]
    more = f" and {len(found) - 1} more" if len(found) > 1 else ""
    app.notify(
        f"Restore in flight: {describe(first_cluster.name, first)}{more}. Press w to watch.",
        title="Restores in flight", timeout=15,
    )
