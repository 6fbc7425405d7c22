"""Training data per language and custom NLU components (the latter run inside Rasa)."""
