"""Fixtures shared by the sandbox's HTTP tests: one client session and one plain request."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


async def call(http, sandbox, cluster, method, path, body=None) -> tuple[int, Any]:
    """One request to a sandbox cluster: its status and its JSON (or its text when not JSON)."""
    async with http.request(method, sandbox.clusters[cluster].url + path, json=body) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()
