"""Screens: each composes widgets and owns the workers that fetch what it shows."""
