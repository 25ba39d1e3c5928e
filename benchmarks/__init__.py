"""Benchmarks for the audit bot; run with ``python -m benchmarks`` (see README.md)."""
