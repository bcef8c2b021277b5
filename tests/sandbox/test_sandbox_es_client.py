"""The official ``elasticsearch`` client against the sandbox behaves as against real clusters.

elasticsearch-py 9 sends ``compatible-with=9`` and insists on ``X-Elastic-Product``: it works
with 9.x, gets a 400 ``media_type_header_exception`` from 8.x, and refuses anything without
the header (ES <= 7.13, 6.8, OpenSearch) with ``UnsupportedProductError``
(es-rest-api.md §2.2-2.3). A plain JSON client works everywhere.
"""

from __future__ import annotations

import aiohttp
import pytest
from elasticsearch import AsyncElasticsearch, BadRequestError, UnsupportedProductError


async def test_client_works_against_9x(sandbox) -> None:
    client = AsyncElasticsearch(sandbox.clusters["prod"].url)
    try:
        info = await client.info()
        assert info["version"]["number"] == "9.1.5"
        health = await client.cluster.health()
        assert health["status"] == "green"
        rows = await client.cat.indices(format="json", h="index,status", s="index")
        assert [row["index"] for row in rows.body][-2:] == ["logs-2026.01", "metrics-old"]
        repos = await client.snapshot.get_repository()
        assert list(repos.body) == ["backups"]
        settings = await client.indices.get_settings(index="metrics-old", flat_settings=True)
        assert settings["metrics-old"]["settings"]["index.version.created"] == "8090299"
    finally:
        await client.close()


@pytest.mark.parametrize("name", ["es7", "es6", "os2"])
async def test_client_refuses_servers_without_product_header(sandbox, name: str) -> None:
    client = AsyncElasticsearch(sandbox.clusters[name].url)
    try:
        with pytest.raises(UnsupportedProductError):
            await client.cluster.health()
        with pytest.raises(UnsupportedProductError):
            await client.cat.indices(format="json")
    finally:
        await client.close()


async def test_client_9_gets_media_type_error_from_8x(sandbox) -> None:
    client = AsyncElasticsearch(sandbox.clusters["es8"].url)
    try:
        with pytest.raises(BadRequestError) as caught:
            await client.cluster.health()
        assert caught.value.meta.status == 400
        assert caught.value.error == "media_type_header_exception"
        assert "Accept version must be either version 8 or 7, but found 9" in str(caught.value)
    finally:
        await client.close()


@pytest.mark.parametrize("name", ["prod", "es8", "es7", "es6", "os2"])
async def test_plain_json_client_works_everywhere(sandbox, name: str) -> None:
    url = sandbox.clusters[name].url
    headers = {"Accept": "application/json"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(url + "/_cluster/health") as response:
            assert response.status == 200
            assert (await response.json(content_type=None))["cluster_name"] == name
        async with session.get(url + "/_cat/indices?format=json") as response:
            assert response.status == 200
            assert isinstance(await response.json(content_type=None), list)
