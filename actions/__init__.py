"""Rasa custom actions (rasa-sdk), served by `python -m actions.server --actions actions`."""
