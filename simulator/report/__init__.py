"""Presentation: what people and other programs read (JSON, CSV, tables, plots, pages)."""
