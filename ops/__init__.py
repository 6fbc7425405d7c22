"""Operator tooling: CLI, supervisor, environments, model building, evaluation, benchmarks.

The runtime (bot, actions, catalog) never imports this package.
"""
