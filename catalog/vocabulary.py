"""Canonical codes shared by the catalogue, the intake and the matching."""

from catalog.languages import PACKS

# The supported languages, in menu order: one per language pack (catalog/languages.py).
LANGUAGES: tuple[str, ...] = tuple(lang.code for lang in PACKS)
RTL_LANGUAGES: frozenset[str] = frozenset(lang.code for lang in PACKS
                                          if lang.direction == "rtl")
FALLBACK_LANGUAGES: tuple[str, ...] = ("en", "fr", "es")

LEGAL_FORMS = frozenset(
    {"cooperative", "association", "foundation", "mutual", "social_enterprise", "company",
     "informal_group"}
)
SECTORS = frozenset(
    {"agrifood", "crafts", "retail", "tourism", "culture", "education", "care", "housing",
     "environment", "finance", "technology", "mobility", "services"}
)
# "None of these" for a case: a user's answer that fits no option is kept as OTHER, with the
# user's own words. Only a case takes it: a catalogue service cannot be "aimed at other".
OTHER = "other"
CASE_LEGAL_FORMS = LEGAL_FORMS | {OTHER}
CASE_SECTORS = SECTORS | {OTHER}
STAGES = frozenset({"idea", "starting", "growing", "consolidated"})
CATEGORIES = frozenset(
    {"funding", "consultancy", "innovation", "internationalisation", "training", "networking"}
)
PROVIDER_KINDS = frozenset(
    {"broker", "financial_entity", "consultancy", "federation", "network", "support_service",
     "public_body"}
)
COSTS = frozenset({"free", "subsidised", "paid"})
ELIGIBILITY_DIMENSIONS: dict[str, frozenset[str] | None] = {
    "country": None,  # any ISO 3166-1 alpha-2 code
    "legal_form": LEGAL_FORMS,
    "sector": SECTORS,
    "stage": STAGES,
}
