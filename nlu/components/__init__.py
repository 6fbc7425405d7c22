"""Custom Rasa NLU components. They run in the engine environment: Rasa, the
libraries its lock file pins (numpy, scipy, scikit-learn) and the standard library."""
