"""Exceptions raised by the operator tooling."""


class OpsError(Exception):
    """Base class for every error the ops package raises."""


class LaunchError(OpsError):
    """A component could not be prepared or started; the message says which and why."""
