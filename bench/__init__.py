"""Benchmarks: a city-scale data generator (generate.py) and page timings (run.py)."""
