"""CSV cells a spreadsheet cannot take for formulas: one rule for every CSV the product writes.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as
a formula by Excel, LibreOffice and Google Sheets; an organisation named
``=HYPERLINK("http://…","click")`` would become a live link in a broker's sheet. Such a
cell is written with a leading apostrophe, which spreadsheets show as text.

To keep the rule reversible, a cell that already starts with apostrophes followed by one
of those characters gets one more. `restore` removes exactly one, so an exported
catalogue imports back to the same values (``'=x`` exports as ``''=x`` and reads back as
``'=x``); a cell that was never neutralised reads back unchanged.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

PREFIX = "'"
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")


def neutralise(value: str) -> str:
    """Return ``value`` as a cell that no spreadsheet evaluates."""
    return PREFIX + value if _FORMULA_START.match(value) else value


def restore(cell: str) -> str:
    """Return the value a cell written by `neutralise` stands for."""
    return cell[len(PREFIX):] if _NEUTRALISED.match(cell) else cell


class SafeWriter:
    """A csv.writer whose every cell goes through `neutralise`.

    Rows end with CRLF (RFC 4180): with a bare LF terminator the csv module leaves a
    carriage return inside a cell unquoted, and the row falls apart when read back.
    """

    def __init__(self, stream: TextIO, **options: Any) -> None:
        self._writer = csv.writer(stream, **{**options, "lineterminator": "\r\n"})

    def writerow(self, row: Iterable[object]) -> None:
        """Write one row; None is an empty cell, everything else its text, neutralised."""
        self._writer.writerow(["" if cell is None else neutralise(str(cell)) for cell in row])
