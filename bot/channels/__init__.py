"""Channel adapters: each translates one messaging platform to the conversation core."""
