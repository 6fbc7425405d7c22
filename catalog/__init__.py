"""Data layer: the service catalogue, conversations and cases (SQLAlchemy 2)."""
