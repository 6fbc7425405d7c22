"""Rank services, events and partner organisations for a (possibly partial) case.

Services are filtered and scored by the database in one query, so matching
stays fast on large catalogues (see `./iesmed bench matching`):

- hard filters: active, within validity dates, the need's categories, and the
  eligibility rows for country, legal form and stage (a service with no row
  for a dimension is open to all);
- soft preferences, added into a score: the user's sector, the user's
  language, and how many of the user's own words (as language-neutral stems,
  catalog/search.py) occur in the service's texts in any language;
- the amount: a service whose range (in the same currency) does not cover the
  amount asked for ranks below every one that does, and its reasons say so.

Each proposal carries its reasons as codes; `explain` renders them in the
user's language from the `phrases:` of the language packs.

The package's modules: `need` (what is asked, what is proposed), `services`, `events`,
`partners` (the three rankings) and `explain` (reasons in the user's language).
"""
