"""Exceptions raised by the catalogue package."""


class CatalogError(Exception):
    """Base class for every error the catalogue raises."""


class SeedFileError(CatalogError):
    """A catalogue file could not be read or failed validation."""


class TransferError(CatalogError):
    """An import could not be written to the database; nothing was changed."""
