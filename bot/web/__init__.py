"""HTTP side of the bot: the JSON chat API, the web chat page and the webhooks."""
