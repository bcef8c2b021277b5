"""Shared pytest fixtures: where the real snapshot repositories written by Elasticsearch live.

The repositories sit in ``shared/fixtures/real-repositories`` beside the project (never copied
into it). Tests skip with a clear reason when that folder is absent, except when
``ESNAP_REQUIRE_FIXTURES=1`` (CI), where its absence is a failure.

Also one aiohttp session fixture (``http``) and a ``call`` helper for the tests that talk to
sandbox clusters over real HTTP.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

REAL_REPOS = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real-repositories"


def require_real_repositories() -> Path:
    """Return ``REAL_REPOS``, or skip (fail under ``ESNAP_REQUIRE_FIXTURES=1``) if it is absent."""
    if REAL_REPOS.is_dir():
        return REAL_REPOS
    reason = f"real repository fixtures not found at {REAL_REPOS}"
    if os.environ.get("ESNAP_REQUIRE_FIXTURES") == "1":
        pytest.fail(f"{reason} (ESNAP_REQUIRE_FIXTURES=1)")
    pytest.skip(reason)


@pytest.fixture
def real_repositories() -> Path:
    """The folder holding one sub-folder per real fixture repository."""
    return require_real_repositories()


# --- sandbox: simulated clusters over real HTTP (owner: sandbox) ------------------------------


@pytest.fixture
async def sandbox():
    """The packaged ``small`` scenario running on ephemeral 127.0.0.1 ports, fixed clock.

    Clusters: ``prod`` (es-9.1, enterprise, shared repo ``backups``), ``es8`` (es-8.15, same
    directory registered readonly as ``shared``), ``es7`` (es-7.13), ``es6`` (es-6.8),
    ``os2`` (os-2.11), ``secure`` (es-8.15, user elastic/changeme, API key key1:s3cr3t).
    """
    from esnap_tui.sandbox import Sandbox, load_scenario

    async with Sandbox(load_scenario("small"), fixed_clock=True) as running:
        yield running


@pytest.fixture
async def http():
    """One aiohttp client session for tests that talk to sandbox clusters over real HTTP."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        yield session


async def call(http, sandbox, cluster, method, path, body=None) -> tuple[int, Any]:
    """One request to a sandbox cluster: its status and its JSON (or its text when not JSON)."""
    async with http.request(method, sandbox.clusters[cluster].url + path, json=body) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()
