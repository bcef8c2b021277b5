"""How versions read in verdict sentences.

Thresholds read as release lines ("6.0", "7.17") while exact created versions read in full
("5.6.16"); the product is named only where it could be mistaken (OpenSearch, or an
Elasticsearch version next to an OpenSearch target).
"""

from __future__ import annotations

from esnap_tui.versions import Product, Version, VersionRange

_PRODUCT_NAMES = {Product.ELASTICSEARCH: "Elasticsearch", Product.OPENSEARCH: "OpenSearch"}


def product_name(product: Product) -> str:
    return _PRODUCT_NAMES[product]


def _prefix(version: Version, product: bool) -> str:
    return f"{product_name(version.product)} " if product else ""


def describe_version(version: Version, *, product: bool = False) -> str:
    """An exact version in full: "5.6.16", "6.0.0-beta1", "OpenSearch 2.11.0"."""
    return f"{_prefix(version, product)}{version}"


def describe_bound(version: Version, *, product: bool = False) -> str:
    """A threshold: "6.0" for the start of a line (any pre-release of x.y.0), else in full.

    Build 0 marks "the very start" of a line or revision in the engine's breakpoints, so
    ``7.11.0`` build 0 reads "7.11" and ``8.15.1`` build 0 reads "8.15.1".
    """
    if version.revision == 0 and (version.build in (0, 99) or version.build == 26):
        text = f"{version.major}.{version.minor}"
    elif version.build == 0:
        text = f"{version.major}.{version.minor}.{version.revision}"
    else:
        text = str(version)
    return f"{_prefix(version, product)}{text}"


def describe_range(created: VersionRange, *, product: bool = False) -> str:
    """E.g. "7.10.2", "8.11.0-8.11.4", "9.1.0 or newer" (the versions module's own wording)."""
    return f"{_prefix(created.low, product)}{created}"


def describe_created(created: VersionRange, *, product: bool = False) -> str:
    """The start of a reason: "created in 5.6.16", "created in 8.11.0-8.11.4"."""
    if created.high is None:
        return f"created in {describe_version(created.low, product=product)} or newer"
    return f"created in {describe_range(created, product=product)}"
