"""Benchmarks: data generator, load runs and their checks (see bench/README.md)."""
