"""PeaceKG benchmarks: see bench/README.md and bench/run.py."""
