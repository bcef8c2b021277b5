"""Widgets: they render models and post messages; they never call the lower layers."""
