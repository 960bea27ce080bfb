"""validate_declaration: check CN22/CN23 content and return it canonical."""

from __future__ import annotations

from functools import lru_cache

from postbridge.customs.model import (
    Category,
    CustomsItem,
    CustomsItemInput,
    Declaration,
    DeclarationInput,
)
from postbridge.errors import FieldProblem, ProblemList
from postbridge.kit.countries import UnknownCountry, normalize_country

# Descriptions customs refuse as too vague (postal-standards.md 6.1 platform rules): the line
# must say what the thing is, e.g. "cotton T-shirt", not "gift".
_GENERIC_DESCRIPTIONS = frozenset(
    {
        "gift",
        "gifts",
        "present",
        "parts",
        "part",
        "sample",
        "samples",
        "goods",
        "merchandise",
        "item",
        "items",
        "stuff",
        "other",
        "product",
        "products",
        "accessories",
        "general merchandise",
        # docs/csv-format.md: "Cotton T-shirt", not "clothes"
        "clothes",
        "clothing",
        "apparel",
        "garment",
        "garments",
    }
)
_HS_SEPARATORS = str.maketrans("", "", ". -")


def validate_declaration(
    decl: DeclarationInput,
    *,
    parcel_weight_g: int,
    path: str = "customs",
    problems: ProblemList,
) -> Declaration | None:
    """Validate ``decl`` for a parcel of ``parcel_weight_g``; append problems, None if any.

    Rules: category from ``Category``; "other" needs an explanation; documents-only needs no
    items, every other category at least one; per item a specific description, quantity >= 1,
    unit value > 0 (documents may be declared at 0), HS code of 6 to 10 digits, a country of
    origin and a unit weight > 0; one currency per declaration; the items' total weight must not
    exceed the parcel's.
    """
    declaration, found, total_weight_g = _checked_content(decl, path)
    problems.problems.extend(found)
    if total_weight_g > parcel_weight_g:
        problems.add(
            f"{path}.items",
            f"items weigh {total_weight_g} g in total, more than the parcel's {parcel_weight_g} g",
        )
        return None
    return declaration


@lru_cache(maxsize=8192)
def _checked_content(
    decl: DeclarationInput, path: str
) -> tuple[Declaration | None, tuple[FieldProblem, ...], int]:
    """Every rule but the parcel-weight comparison, memoised: marketplaces declare the same
    baskets all day. Returns the declaration (None on any problem), the problems and the items'
    total weight, counted over every line with a usable weight so that the weight problem
    shows even when another field of the same line is wrong."""
    problems = ProblemList()
    category = _category(decl.category, path, problems)
    explanation = " ".join((decl.explanation or "").split())
    if category is Category.OTHER and not explanation:
        problems.add(
            f"{path}.explanation", "expected an explanation for category other", "required"
        )
    if category is not None and category is not Category.DOCUMENTS and not decl.items:
        problems.add(
            f"{path}.items", f"expected at least one item for category {category}", "required"
        )
    items = [
        _item(raw, f"{path}.items[{index}]", category, problems)
        for index, raw in enumerate(decl.items)
    ]
    currencies = {raw.unit_value.currency for raw in decl.items if raw.unit_value is not None}
    if len(currencies) > 1:
        problems.add(
            f"{path}.items",
            f"expected one currency for the whole declaration, got {', '.join(sorted(currencies))}",
        )
    valid_items = tuple(item for item in items if item is not None)
    total_weight_g = sum(
        raw.quantity * raw.unit_weight_g
        for raw in decl.items
        if raw.quantity and raw.unit_weight_g and raw.quantity > 0 and raw.unit_weight_g > 0
    )
    if problems.problems or category is None:
        return None, tuple(problems.problems), total_weight_g
    currency = valid_items[0].unit_value.currency if valid_items else None
    declaration = Declaration(
        category=category, items=valid_items, currency=currency, explanation=explanation
    )
    return declaration, (), total_weight_g


def _category(typed: str | None, path: str, problems: ProblemList) -> Category | None:
    text = (typed or "").strip().lower().replace(" ", "_")
    try:
        return Category(text)
    except ValueError:
        choices = ", ".join(category.value for category in Category)
        code = "required" if not text else "invalid"
        problems.add(f"{path}.category", f"expected one of {choices}", code)
        return None


def _item(
    raw: CustomsItemInput, path: str, category: Category | None, problems: ProblemList
) -> CustomsItem | None:
    before = len(problems.problems)
    description = " ".join((raw.description or "").split())
    if not description:
        problems.add(f"{path}.description", "expected what the item is", "required")
    elif description.lower() in _GENERIC_DESCRIPTIONS:
        problems.add(
            f"{path}.description",
            f"expected a specific description (such as 'cotton T-shirt'), not {description!r}",
        )
    quantity = raw.quantity
    if quantity is None or quantity < 1:
        problems.add(f"{path}.quantity", "expected a whole number of at least 1")
    value = raw.unit_value
    lowest = 0 if category is Category.DOCUMENTS else 1
    if value is None or value.minor < lowest:
        expected = "0 or more" if lowest == 0 else "more than 0"
        problems.add(f"{path}.unit_value", f"expected a value {expected}")
    hs_code = (raw.hs_code or "").translate(_HS_SEPARATORS)
    if not (hs_code.isdigit() and 6 <= len(hs_code) <= 10):
        problems.add(
            f"{path}.hs_code",
            f"expected an HS code of 6 to 10 digits such as 610910; got {raw.hs_code!r}",
        )
    origin = _origin(raw.origin_country, f"{path}.origin_country", problems)
    weight = raw.unit_weight_g
    if weight is None or weight < 1:
        problems.add(f"{path}.unit_weight_g", "expected a weight in grams of at least 1")
    if (
        len(problems.problems) > before
        or quantity is None
        or value is None
        or origin is None
        or weight is None
    ):
        return None
    return CustomsItem(
        description=description,
        quantity=quantity,
        unit_value=value,
        hs_code=hs_code,
        origin_country=origin,
        unit_weight_g=weight,
    )


def _origin(typed: str | None, field: str, problems: ProblemList) -> str | None:
    text = (typed or "").strip()
    if not text:
        problems.add(field, "expected the ISO country of origin such as CN", "required")
        return None
    try:
        return normalize_country(text)
    except UnknownCountry:
        problems.add(field, f"expected an ISO 3166-1 country code such as CN; got {text!r}")
        return None
