"""Channels, conversation core, chat API and web app: the runtime (app environment)."""
