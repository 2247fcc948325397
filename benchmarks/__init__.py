"""The performance benchmarks of `make bench` (see benchmarks/run.py)."""
