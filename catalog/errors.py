"""Exceptions raised by the catalogue package."""


class CatalogError(Exception):
    """Base class for every error the catalogue raises."""


class SeedFileError(CatalogError):
    """A catalogue file could not be read or failed validation."""
