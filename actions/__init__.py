"""Rasa custom actions (action server, rasa-sdk). Loaded by `python -m rasa_sdk --actions actions`."""
