"""Custom Rasa NLU components. They run in the engine environment: import only Rasa."""
