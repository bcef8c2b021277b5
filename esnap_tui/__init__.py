"""esnap: a terminal app for Elasticsearch and OpenSearch snapshot and restore."""

__version__ = "0.1.0"
