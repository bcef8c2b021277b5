"""Simulated Elasticsearch and OpenSearch clusters over real HTTP on loopback.

esnap's tests, ``--demo`` and benchmarks run against these: each cluster answers like one real
release (its dialect) and serves snapshots from real repository directories written in the
on-disk format. See ``scenario.py`` for the scenario schema and ``state.py`` for the Python API
route modules use.

::

    async with Sandbox(load_scenario("small"), fixed_clock=True) as sandbox:
        url = sandbox.clusters["prod"].url
        sandbox.write_config(tmp_path / "clusters.yaml")
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from esnap_tui.sandbox.builder import build
from esnap_tui.sandbox.scenario import Scenario, ScenarioError, load_scenario
from esnap_tui.sandbox.server import ClusterServer
from esnap_tui.sandbox.state import SimCluster
from esnap_tui.versions import Version


@dataclass
class SandboxCluster:
    """One running simulated cluster, as a caller sees it."""

    name: str
    url: str
    dialect: str
    version: Version
    cluster: SimCluster
    username: str | None = None
    password: str | None = None
    password_env: str | None = None
    api_key_env: str | None = None
    api_key: str | None = None  # base64 "id:key" of the first API key, if any
    protected: bool = False
    read_only: bool = False
    repositories: dict[str, str] = field(default_factory=dict)  # name -> local directory

    @property
    def needs_auth(self) -> bool:
        return bool(self.cluster.users or self.cluster.api_keys)


class Sandbox:
    """Every cluster of a scenario, each on its own 127.0.0.1 port (ephemeral by default).

    ``root`` holds the repository directories (a temporary directory removed on exit unless
    given). ``fixed_clock`` makes every response reproducible: a fixed start time, seeded ids;
    ``fixed_clock="flowing"`` starts there too but lets time run (the interactive demo).
    ``ports`` maps cluster names to fixed ports (0 = ephemeral).
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        *,
        fixed_clock: bool | str = False,
        root: str | Path | None = None,
        ports: dict[str, int] | None = None,
    ) -> None:
        self.scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.fixed_clock = fixed_clock
        self._own_root = root is None
        self.root = Path(root) if root is not None else None
        self.ports = dict(ports or {})
        self.clusters: dict[str, SandboxCluster] = {}
        self._servers: list[ClusterServer] = []

    async def start(self) -> Sandbox:
        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="esnap-sandbox-"))
        built = await asyncio.to_thread(build, self.scenario, self.root,
                                        fixed_clock=self.fixed_clock)
        try:
            for name, item in built.items():
                server = ClusterServer(item.cluster, port=self.ports.get(name, 0))
                await server.start()
                self._servers.append(server)
                spec = item.spec
                api_key = None
                if spec.api_keys:
                    import base64

                    key_id, secret = next(iter(spec.api_keys.items()))
                    api_key = base64.b64encode(f"{key_id}:{secret}".encode()).decode()
                self.clusters[name] = SandboxCluster(
                    name=name,
                    url=server.url,
                    dialect=spec.dialect.name,
                    version=spec.dialect.version,
                    cluster=item.cluster,
                    username=spec.username,
                    password=spec.password,
                    password_env=spec.password_env or (
                        _env_name(name, "PASSWORD") if spec.password else None),
                    api_key_env=spec.api_key_env or (
                        _env_name(name, "API_KEY") if api_key and not spec.password else None),
                    api_key=api_key,
                    protected=spec.protected,
                    read_only=spec.read_only,
                    repositories={
                        r.name: str(r.path) for r in item.cluster.repositories.values()
                        if r.path is not None
                    },
                )
        except BaseException:
            await self.stop()
            raise
        return self

    async def stop(self) -> None:
        for server in self._servers:
            await server.stop()
        self._servers.clear()
        if self._own_root and self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def secrets(self) -> dict[str, str]:
        """Environment variable -> value the generated config expects (passwords, API keys)."""
        values = {}
        for cluster in self.clusters.values():
            if cluster.password_env and cluster.password is not None:
                values[cluster.password_env] = cluster.password
            if cluster.api_key_env and cluster.api_key is not None:
                values[cluster.api_key_env] = cluster.api_key
        return values

    def config_dict(self) -> dict[str, Any]:
        entries = []
        for cluster in self.clusters.values():
            entry: dict[str, Any] = {"name": cluster.name, "url": cluster.url}
            if cluster.password_env and cluster.username:
                entry["username"] = cluster.username
                entry["password_env"] = cluster.password_env
            elif cluster.api_key_env:
                entry["api_key_env"] = cluster.api_key_env
            if cluster.protected:
                entry["protected"] = True
            if cluster.read_only:
                entry["read_only"] = True
            if cluster.repositories:
                entry["repositories"] = dict(cluster.repositories)
            entries.append(entry)
        return {"clusters": entries}

    def write_config(self, path: str | Path) -> Path:
        """Write an esnap ``clusters.yaml`` pointing at the running clusters (no secrets in it:
        see ``secrets()`` for the environment variables to export)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        header = "# written by `esnap sandbox`; secrets come from environment variables:\n"
        for env in self.secrets():
            header += f"#   export {env}=...\n"
        target.write_text(header + yaml.safe_dump(self.config_dict(), sort_keys=False),
                          encoding="utf-8")
        return target


def _env_name(cluster: str, what: str) -> str:
    return "ESNAP_SANDBOX_" + re.sub(r"[^A-Z0-9]+", "_", cluster.upper()).strip("_") + "_" + what


class _ThreadedSandbox:
    """A ``Sandbox`` running on its own event loop in a daemon thread (for sync callers)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="esnap-sandbox")

    def start(self) -> Sandbox:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self.sandbox.start(), self._loop)
        return future.result()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self.sandbox.stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


@contextlib.contextmanager
def running_sandbox(
    scenario: Scenario | str | Path, *, fixed_clock: bool = False, root: str | Path | None = None
) -> Iterator[Sandbox]:
    """Sync helper for scripts and ``esnap --demo``: the sandbox runs in a background thread."""
    runner = _ThreadedSandbox(Sandbox(scenario, fixed_clock=fixed_clock, root=root))
    try:
        yield runner.start()
    finally:
        runner.stop()


__all__ = [
    "Sandbox",
    "SandboxCluster",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "running_sandbox",
]
