"""Channels, conversation core, launcher and staff console (app environment)."""
