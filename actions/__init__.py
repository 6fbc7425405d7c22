"""Rasa custom actions (rasa-sdk), loaded by `python -m rasa_sdk --actions actions`."""
