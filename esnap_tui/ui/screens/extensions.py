"""Extension points for screens built later: the compatibility view (``c``) and the restore
wizard (``R``).

Why a registry: the main and detail screens already own the keys and know the selection; the
screens behind them are built by other people. A module registers a factory here, the key
opens it with a ``SnapshotContext``; until then a placeholder explains what will be there.
Modules named in ``_PROVIDERS`` are imported on first use so registering needs no edit here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from esnap_tui.models import SnapshotDetail, SnapshotSummary
from esnap_tui.ui.bindings import MODAL, bindings_for
from esnap_tui.ui.services import Services, Source, restore_targets


@dataclass
class SnapshotContext:
    """What a screen opened on a snapshot is given."""

    services: Services
    source: Source
    repository: str
    snapshot: SnapshotSummary
    detail: SnapshotDetail | None = None
    read_only: bool = False


ScreenFactory = Callable[[SnapshotContext], Screen]

_FACTORIES: dict[str, ScreenFactory] = {}
# hook name -> modules that register it when imported (may not exist yet)
_PROVIDERS: dict[str, tuple[str, ...]] = {
    "compat": ("esnap_tui.ui.screens.compat",),
    "restore": ("esnap_tui.ui.screens.restore",),
}
TITLES = {"compat": "Compatibility view", "restore": "Restore wizard"}


def register_screen(hook: str, factory: ScreenFactory) -> None:
    """Make ``hook`` ("compat", "restore", ...) open the screen ``factory`` builds."""
    _FACTORIES[hook] = factory


def screen_for(hook: str, context: SnapshotContext) -> Screen:
    if hook not in _FACTORIES:
        for module in _PROVIDERS.get(hook, ()):
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as error:
                if error.name != module:
                    raise
    factory = _FACTORIES.get(hook)
    if factory is None:
        return PlaceholderScreen(hook, context)
    return factory(context)


class PlaceholderScreen(ModalScreen[None]):
    """Says what the key will open, and for which snapshot."""

    BINDINGS = bindings_for(MODAL)

    def __init__(self, hook: str, context: SnapshotContext) -> None:
        super().__init__()
        self.hook = hook
        self.context = context

    def compose(self) -> ComposeResult:
        title = TITLES.get(self.hook, self.hook)
        with Vertical(id="dialog", classes="dialog") as box:
            box.border_title = title
            box.border_subtitle = "esc close"
            yield Static(
                f"{title} is not built yet.\n\n"
                f"It will open on snapshot {self.context.snapshot.name}\n"
                f"of repository {self.context.repository} ({self.context.source.name}).",
                id="placeholder-text",
            )

    def action_close(self) -> None:
        self.dismiss(None)


def open_restore(screen: Screen, context: SnapshotContext) -> None:
    """``R`` from any screen: the wizard, or a warning when no cluster can take a restore (a key
    that silently does nothing looks broken)."""
    if not restore_targets(context.services, read_only=context.read_only):
        screen.notify("No writable cluster to restore into: every configured cluster is "
                      "read-only.", severity="warning")
        return
    screen.app.push_screen(screen_for("restore", context))
