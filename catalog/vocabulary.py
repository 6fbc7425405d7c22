"""Canonical codes shared by the catalogue, the intake and the matching."""

LANGUAGES: tuple[str, ...] = ("ca", "es", "fr", "it", "pt", "el", "tr", "ar", "en")
FALLBACK_LANGUAGES: tuple[str, ...] = ("en", "fr", "es")

LEGAL_FORMS = frozenset(
    {"cooperative", "association", "foundation", "mutual", "social_enterprise", "company",
     "informal_group"}
)
SECTORS = frozenset(
    {"agrifood", "crafts", "retail", "tourism", "culture", "education", "care", "housing",
     "environment", "finance", "technology", "mobility"}
)
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
