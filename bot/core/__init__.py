"""Channel-neutral conversation core: message types, routing, language, Rasa client."""
