"""``ClusterClient.license()`` over real HTTP: the fact archive-index restores depend on."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from esnap_tui.cluster import ClusterClient, ClusterLicense
from esnap_tui.config import ClusterConfig
from esnap_tui.sandbox import Sandbox, Scenario

pytestmark = pytest.mark.asyncio(loop_scope="module")

CLUSTERS = [
    ("es68", "es-6.8", "basic"),
    ("es717", "es-7.17", "enterprise"),  # 7.x hides enterprise unless accept_enterprise=true
    ("es815", "es-8.15", "trial"),
    ("es91", "es-9.1", {"type": "enterprise", "status": "expired"}),
    ("bare", "es-9.1", "none"),
    ("os2", "os-2.11", "none"),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def clusters() -> AsyncIterator[Sandbox]:
    scenario = Scenario.from_dict(
        {
            "seed": 3,
            "now": "2026-01-15T12:00:00Z",
            "clusters": [
                {"name": name, "dialect": dialect, "license": licence}
                for name, dialect, licence in CLUSTERS
            ],
        }
    )
    async with Sandbox(scenario, fixed_clock=True) as running:
        yield running


async def licence_of(sandbox: Sandbox, name: str) -> ClusterLicense | None:
    config = ClusterConfig(name=name, urls=[sandbox.clusters[name].url])
    async with ClusterClient(config) as client:
        return await client.license()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("es68", ClusterLicense("basic", "active")),
        ("es717", ClusterLicense("enterprise", "active")),
        ("es815", ClusterLicense("trial", "active")),
    ],
)
async def test_licence_type_and_status_per_version(
    clusters: Sandbox, name: str, expected: ClusterLicense
) -> None:
    licence = await licence_of(clusters, name)
    assert licence == expected
    assert licence.effective == expected.type


async def test_an_expired_licence_unlocks_nothing(clusters: Sandbox) -> None:
    licence = await licence_of(clusters, "es91")
    assert licence == ClusterLicense("enterprise", "expired")
    assert licence.effective == "enterprise (expired)"


@pytest.mark.parametrize("name", ["bare", "os2"])
async def test_no_licence_to_read_is_none(clusters: Sandbox, name: str) -> None:
    assert await licence_of(clusters, name) is None
