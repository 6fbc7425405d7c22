"""Benchmarks: matching latency by catalogue size, a quick NLU proxy, a run-time probe."""
