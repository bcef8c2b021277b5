"""The Textual application: themes, keymap, the demo sandbox, and ``run(args)`` for the CLI.

Why the demo sandbox starts inside the app: the simulated clusters are aiohttp servers, and
they must share the app's event loop (tests and screenshots run the app headless in a fresh
loop). So ``EsnapApp(demo="demo")`` starts ``Sandbox(load_scenario(...))`` in a worker, writes a
temporary clusters.yaml, and only then lists the clusters; it stops the sandbox on exit.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App
from textual.worker import WorkerState

from esnap_tui.ui.bindings import APP, bindings_for, check_keymap
from esnap_tui.ui.collector import CHECK_EVERY, QuietCollector
from esnap_tui.ui.commands import EsnapCommands
from esnap_tui.ui.screens.help import HelpScreen
from esnap_tui.ui.screens.main import MainScreen
from esnap_tui.ui.services import Services, Source, preload_layers
from esnap_tui.ui.themes import (
    ANSI_THEME,
    DEFAULT_THEME,
    load_themes,
    no_color_requested,
    resolve_name,
)

if TYPE_CHECKING:
    from esnap_tui.config import EsnapConfig


class EsnapApp(App[int]):
    CSS_PATH = "esnap.tcss"
    TITLE = "esnap"
    BINDINGS = bindings_for(APP)
    COMMANDS = App.COMMANDS | {EsnapCommands}

    def __init__(
        self,
        config: EsnapConfig | None = None,
        *,
        read_only: bool = False,
        demo: str | Path | None = None,
        fixed_clock: bool | Any = True,
        theme: str | None = None,
        theme_dirs: tuple[Path, ...] = (),
        quiet_gc: bool = False,
    ) -> None:
        """``quiet_gc``: take over the process's garbage collection while the app runs (see
        ``collector``); ``esnap`` does, an app embedded in tests leaves it alone."""
        self.colourless = no_color_requested()
        super().__init__(ansi_color=True if self.colourless else None)
        self.config = config
        self.read_only = read_only
        self.demo = demo
        self.fixed_clock = fixed_clock
        self.services = Services(None)
        self.problems: list[str] = []
        self._sandbox: Any = None
        self._demo_dir: tempfile.TemporaryDirectory[str] | None = None
        self.collector = QuietCollector() if quiet_gc else None
        self._last_input = time.monotonic()

        self.problems.extend(preload_layers())
        if demo is not None:
            with contextlib.suppress(ImportError):
                import esnap_tui.sandbox  # noqa: F401 - warm the import off the event loop
        theme_files, problems = load_themes(*theme_dirs)
        self.problems.extend(problems)
        for theme_file in theme_files:
            self.register_theme(theme_file.theme)
        wanted = resolve_name(theme or (config.theme if config else None)) or DEFAULT_THEME
        self.base_theme = ANSI_THEME if self.colourless else self._valid_theme(wanted)
        self.theme = self.base_theme
        if config is not None:
            self._apply_keymap(config.keymap)

    def _valid_theme(self, name: str) -> str:
        if name in self.available_themes:
            return name
        self.problems.append(f"theme {name!r} is unknown; using {DEFAULT_THEME}")
        return DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"

    def _apply_keymap(self, keymap: Mapping[str, str]) -> None:
        self.problems.extend(check_keymap(keymap))
        self.set_keymap(dict(keymap))

    @property
    def keymap(self) -> Mapping[str, str]:
        return self.config.keymap if self.config is not None else {}

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {}

    def get_default_screen(self) -> MainScreen:
        return MainScreen(read_only=self.read_only)

    @property
    def main_screen(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("main screen is not mounted")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def _collect_when_quiet(self) -> None:
        if self.collector is None:
            return
        # loading is busy; a restore monitor's polling runs for hours and is not
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING)
                   and not w.group.startswith("restore-monitor") for w in self.workers)
        self.collector.collect_if_due(time.monotonic() - self._last_input, busy)

    def on_main_screen_ready(self) -> None:
        if self.collector is not None and not self.collector.installed:
            self.collector.install()
            self.set_interval(CHECK_EVERY, self._collect_when_quiet)
        for problem in self.problems:
            self.notify(problem, severity="warning", timeout=8)
        if self.demo is not None:
            self.start_demo()
        else:
            self.services = Services(self.config)
            self.main_screen.attach(self.services)
            self.announce_restores()

    @work(group="demo", exit_on_error=False)
    async def start_demo(self) -> None:
        """Start the sandbox clusters in this event loop and point the app at them."""
        main = self.main_screen
        sources = main.query_one("#sources")
        sources.loading = True
        try:
            from esnap_tui.config import load_config
            from esnap_tui.sandbox import Sandbox, load_scenario

            scenario = load_scenario(str(self.demo))
            self._sandbox = Sandbox(scenario, fixed_clock=self.fixed_clock)
            await self._sandbox.__aenter__()
            self._demo_dir = tempfile.TemporaryDirectory(prefix="esnap-demo-")
            path = Path(self._demo_dir.name) / "clusters.yaml"
            write_sandbox_config(self._sandbox, path)
            # the sandbox's own throw-away credentials, for its clusters that need them
            os.environ.update(self._sandbox.secrets())
            self.config = load_config(path)
        except Exception as error:
            sources.loading = False
            self.notify(f"The demo sandbox did not start: {error}", severity="error", timeout=30)
            return
        sources.loading = False
        self._apply_keymap(self.config.keymap)
        self.services = Services(self.config)
        main.attach(self.services)
        self.announce_restores()

    async def on_unmount(self) -> None:
        if self.collector is not None:
            self.collector.uninstall()
        await self.services.close()
        if self._sandbox is not None:
            try:
                await self._sandbox.__aexit__(None, None, None)
            finally:
                self._sandbox = None
        if self._demo_dir is not None:
            self._demo_dir.cleanup()
            self._demo_dir = None

    # per-cluster theme -------------------------------------------------------------------

    def theme_for_source(self, source: Source) -> None:
        """A cluster may pick its own theme (e.g. ``production``); others use the default."""
        if self.colourless:
            return
        wanted = resolve_name(source.theme) if source.theme else self.base_theme
        if wanted not in self.available_themes:
            wanted = self.base_theme
        if self.theme != wanted:
            self.theme = wanted

    # actions -----------------------------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.keymap, read_only=self.read_only))


    # restores in flight (the restore screens) --------------------------------------------

    @work(group="restores-in-flight", exclusive=True, exit_on_error=False)
    async def announce_restores(self) -> None:
        """At start: restores running on any reachable cluster are announced (``w`` watches)."""
        from esnap_tui.ui.screens.restore.inflight import announce_restores_in_flight

        await announce_restores_in_flight(self)

    def action_watch_restores(self) -> None:
        from esnap_tui.ui.screens.restore.inflight import RestoresInFlightScreen

        if not isinstance(self.screen, RestoresInFlightScreen):
            self.push_screen(RestoresInFlightScreen(self.services))

    def sandbox_clock(self, cluster: str) -> Any:
        """The demo sandbox cluster's fixed clock (None otherwise): the restore monitor paces
        itself on it, so the demo's recoveries move while someone watches."""
        entry = self._sandbox.clusters.get(cluster) if self._sandbox is not None else None
        clock = entry.cluster.clock if entry is not None else None
        return clock if getattr(clock, "fixed", False) else None


def write_sandbox_config(sandbox: Any, path: Path) -> None:
    """The sandbox's clusters.yaml, with ``repositories`` in the config's ``{name: {path: DIR}}``
    shape (the sandbox writes ``{name: DIR}``, which ``load_config`` rejects)."""
    import yaml

    data = sandbox.config_dict()
    for entry in data.get("clusters", []):
        repos = entry.get("repositories") or {}
        entry["repositories"] = {
            name: {"path": value} if isinstance(value, str) else value
            for name, value in repos.items()
        }
        if not entry["repositories"]:
            del entry["repositories"]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    """``esnap`` (and ``esnap --demo``): open the app; returns the exit status."""
    config = None
    demo = "demo" if getattr(args, "demo", False) else None
    if demo is None:
        from esnap_tui.config import ConfigError, load_config

        try:
            config = load_config(Path(args.config) if getattr(args, "config", None) else None)
        except ConfigError as error:
            print(f"esnap: {error}", file=sys.stderr)
            return 2
    # the interactive demo's time flows from the scenario's instant: restores progress while
    # nobody watches (tests and pictures keep the default fixed clock)
    app = EsnapApp(config, read_only=bool(getattr(args, "read_only", False)), demo=demo,
                   fixed_clock="flowing", quiet_gc=True)
    try:
        app.run()
    finally:
        stop_reader_process()
    return int(app.return_code or 0)


def stop_reader_process() -> None:
    """Stop the repository reader's child process, if one started: at exit it would otherwise
    be joined while it finishes a long read (and never, inside another process's child)."""
    from esnap_tui.repository.reader_process import shared_reader_process

    shared_reader_process().shutdown()
