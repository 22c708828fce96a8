"""Benchmarks of summit-bot against a bare discord.py bot, both on the loopback Discord emulator.

`python -m bench` (or `make bench`) runs them all, prints each figure beside its baseline and target,
and writes bench/results/latest.json. See docs/performance.md for the set-up and how to read the figures.
"""
