"""Runnable jobs (backfill, extract, compact, ...) and their configuration."""
