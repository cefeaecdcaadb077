"""Throughput and memory benchmark of the archive: ``python -m tools.bench --help``."""
