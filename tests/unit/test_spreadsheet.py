"""Cells for spreadsheets: nothing a sheet would evaluate, and the original value comes back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from catalog.spreadsheet import neutralise, restore

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Text that often starts with triggers and apostrophes, the cases that matter.
cells = st.builds(lambda head, tail: head + tail,
                  st.text(st.sampled_from(["'", *TRIGGERS, "a", " "]), max_size=4), st.text())


@given(cells)
def test_a_neutralised_cell_never_starts_a_formula_and_restores_exactly(value):
    cell = neutralise(value)
    assert cell[:1] not in TRIGGERS
    assert restore(cell) == value


def test_formula_starts_get_one_apostrophe_and_plain_text_is_left_alone():
    assert neutralise('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert neutralise("+216 71 000 000") == "'+216 71 000 000"
    assert neutralise("'=quoted") == "''=quoted"
    assert neutralise("Coop 'Olive'") == "Coop 'Olive'"
    assert neutralise("") == ""
    # A hand-typed apostrophe before ordinary text is data, not our prefix.
    assert restore("'Olive") == "'Olive"
