"""Confirmation of a step that changes the target cluster (close an index, register the
repository read-only, take a safety snapshot): it shows the exact request before anything runs.

Why a modal with buttons and no default: these steps are offered as fixes at the worst moment;
the person must see what will be sent and choose it, never slip into it with one key.
"""

from __future__ import annotations

import json
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from esnap_tui.restore.execute import safety_snapshot_name
from esnap_tui.ui.bindings import MODAL, bindings_for
from esnap_tui.ui.services import Services, describe_error, writable_repositories


class ConfirmStepScreen(ModalScreen[dict[str, Any] | None]):
    """Dismisses with ``{}`` (or ``{"repository", "name"}`` for a safety snapshot) or None."""

    BINDINGS = bindings_for(MODAL)
    DEFAULT_CSS = """
    ConfirmStepScreen #confirm-request { height: auto; max-height: 14; margin: 1 0; }
    ConfirmStepScreen .row { height: auto; }
    ConfirmStepScreen .label { width: auto; padding: 0 1 0 0; color: $text-muted; }
    ConfirmStepScreen Select, ConfirmStepScreen Input { width: 1fr; }
    ConfirmStepScreen #confirm-buttons { height: auto; margin: 1 0 0 0; }
    ConfirmStepScreen Button { margin: 0 2 0 0; }
    """

    def __init__(self, services: Services, cluster: str, action: Any, *,
                 protected: bool = False) -> None:
        super().__init__()
        self.services = services
        self.cluster = cluster
        self.action = action
        self.protected = protected
        self.safety = action.kind == "safety-snapshot"

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog") as box:
            box.border_title = "This changes the target cluster"
            box.border_subtitle = "esc cancel"
            warning = f" ({self.cluster} is protected)" if self.protected else ""
            yield Static(Content.assemble(("on ", ""), (self.cluster, "bold"),
                                          (warning, "bold $warning"), ": ",
                                          self.action.label))
            if self.safety:
                with Horizontal(classes="row"):
                    yield Static("into repository", classes="label")
                    yield Select[str]([], id="safety-repo", compact=True,
                                      prompt="loading writable repositories…")
                with Horizontal(classes="row"):
                    yield Static("snapshot name", classes="label")
                    yield Input(safety_snapshot_name(), id="safety-name", compact=True)
            yield Static(id="confirm-request", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button("Run it", id="confirm-run", variant="warning", compact=True)
                yield Button("Cancel", id="confirm-cancel", compact=True)

    def on_mount(self) -> None:
        for field_ in self.query(Input):
            field_.cursor_blink = False
        self._show_request()
        if self.safety:
            self.query_one("#confirm-run", Button).disabled = True
            self.load_repositories()
        self.query_one("#confirm-cancel", Button).focus()

    @work(exclusive=True, group="confirm-repos", exit_on_error=False)
    async def load_repositories(self) -> None:
        select = self.query_one("#safety-repo", Select)
        try:
            names = await writable_repositories(self.services, self.cluster)
        except Exception as error:
            _, message = describe_error(error)
            select.set_options([])
            self.notify(f"could not list repositories: {message}", severity="error")
            return
        select.set_options([(n, n) for n in names])
        if names:
            select.value = names[0]
            self.query_one("#confirm-run", Button).disabled = False
        else:
            self.query_one("#confirm-request", Static).update(
                f"{self.cluster} has no writable repository for a safety snapshot.")

    def _request_text(self) -> str:
        request = self.action.request
        if request is None:
            return ""
        path = request.path
        if self.safety:
            repo = self.query_one("#safety-repo", Select).value
            name = self.query_one("#safety-name", Input).value
            path = path.replace("<writable-repository>",
                                repo if isinstance(repo, str) else "<writable-repository>")
            path = path.replace("<safety-snapshot>", name or "<safety-snapshot>")
        query = "&".join(f"{k}={v}" for k, v in request.params.items())
        line = f"{request.method} {path.lstrip('/')}{'?' + query if query else ''}"
        body = json.dumps(request.body, indent=2) if request.body else ""
        return f"{line}\n{body}".rstrip()

    def _show_request(self) -> None:
        self.query_one("#confirm-request", Static).update(self._request_text())

    @on(Select.Changed, "#safety-repo")
    @on(Input.Changed, "#safety-name")
    def _changed(self) -> None:
        self._show_request()

    @on(Button.Pressed, "#confirm-run")
    def _run(self, event: Button.Pressed) -> None:
        event.stop()
        answer: dict[str, Any] = {}
        if self.safety:
            repo = self.query_one("#safety-repo", Select).value
            if not isinstance(repo, str):
                return
            answer = {"repository": repo, "name": self.query_one("#safety-name", Input).value}
        self.dismiss(answer)

    @on(Button.Pressed, "#confirm-cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
