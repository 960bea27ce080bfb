"""validate_declaration: CN22/CN23 content rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from postbridge.customs import (
    Category,
    CustomsItem,
    CustomsItemInput,
    Declaration,
    DeclarationInput,
    validate_declaration,
)
from postbridge.errors import FieldProblem, ProblemList
from postbridge.kit.money import Money

TSHIRT = CustomsItemInput(
    description="Cotton T-shirt",
    quantity=2,
    unit_value=Money.parse("9.90", "USD"),
    hs_code="6109.10.00",
    origin_country="China",
    unit_weight_g=180,
)
SALE = DeclarationInput(category="sale_of_goods", items=(TSHIRT,))


def validate(
    decl: DeclarationInput, parcel_weight_g: int = 500
) -> tuple[Declaration | None, list[FieldProblem]]:
    problems = ProblemList()
    result = validate_declaration(decl, parcel_weight_g=parcel_weight_g, problems=problems)
    return result, problems.problems


def test_valid_declaration_is_canonical() -> None:
    result, problems = validate(SALE)

    assert problems == []
    assert result == Declaration(
        category=Category.SALE_OF_GOODS,
        items=(
            CustomsItem(
                description="Cotton T-shirt",
                quantity=2,
                unit_value=Money.parse("9.90", "USD"),
                hs_code="61091000",
                origin_country="CN",
                unit_weight_g=180,
            ),
        ),
        currency="USD",
        explanation="",
    )
    assert result.declared_value == Money.parse("19.80", "USD")
    assert result.net_weight_g == 360


@pytest.mark.parametrize("hs_code", ["610910", "6109100010", "6109.10"])
def test_hs_codes_of_six_to_ten_digits_are_accepted(hs_code: str) -> None:
    _, problems = validate(replace(SALE, items=(replace(TSHIRT, hs_code=hs_code),)))

    assert problems == []


@pytest.mark.parametrize("hs_code", ["6109", "61091000001", "61A910", "", None])
def test_hs_codes_outside_six_to_ten_digits_are_refused(hs_code: str | None) -> None:
    _, problems = validate(replace(SALE, items=(replace(TSHIRT, hs_code=hs_code),)))

    assert problems == [
        FieldProblem(
            "customs.items[0].hs_code",
            f"expected an HS code of 6 to 10 digits such as 610910; got {hs_code!r}",
        )
    ]


def test_item_weight_above_the_parcel_weight_is_refused() -> None:
    result, problems = validate(SALE, parcel_weight_g=359)

    assert result is None
    assert problems == [
        FieldProblem("customs.items", "items weigh 360 g in total, more than the parcel's 359 g")
    ]


def test_overweight_is_reported_alongside_other_problems_of_the_line() -> None:
    _, problems = validate(replace(SALE, items=(replace(TSHIRT, hs_code="6109"),)), 100)

    assert [problem.field for problem in problems] == [
        "customs.items[0].hs_code",
        "customs.items",
    ]


def test_item_weight_equal_to_the_parcel_weight_is_accepted() -> None:
    _, problems = validate(SALE, parcel_weight_g=360)

    assert problems == []


def test_values_quantities_and_weights_must_be_positive() -> None:
    item = replace(TSHIRT, quantity=0, unit_value=Money.parse("0", "USD"), unit_weight_g=0)
    _, problems = validate(replace(SALE, items=(item,)))

    assert problems == [
        FieldProblem("customs.items[0].quantity", "expected a whole number of at least 1"),
        FieldProblem("customs.items[0].unit_value", "expected a value more than 0"),
        FieldProblem("customs.items[0].unit_weight_g", "expected a weight in grams of at least 1"),
    ]


def test_one_currency_per_declaration() -> None:
    other = replace(TSHIRT, unit_value=Money.parse("9.90", "EUR"))
    _, problems = validate(replace(SALE, items=(TSHIRT, other)), parcel_weight_g=1000)

    assert problems == [
        FieldProblem(
            "customs.items", "expected one currency for the whole declaration, got EUR, USD"
        )
    ]


def test_unknown_category_lists_the_choices() -> None:
    _, problems = validate(replace(SALE, category="merchandise"))

    assert problems == [
        FieldProblem(
            "customs.category",
            "expected one of gift, documents, commercial_sample, returned_goods, sale_of_goods, "
            "other",
        )
    ]


def test_documents_only_needs_no_items() -> None:
    result, problems = validate(DeclarationInput(category="documents"))

    assert problems == []
    assert result == Declaration(Category.DOCUMENTS, (), None, "")
    assert result.declared_value is None


def test_other_categories_need_items() -> None:
    _, problems = validate(DeclarationInput(category="gift"))

    assert problems == [
        FieldProblem("customs.items", "expected at least one item for category gift", "required")
    ]


def test_other_needs_an_explanation() -> None:
    _, problems = validate(replace(SALE, category="other"))

    assert problems == [
        FieldProblem(
            "customs.explanation", "expected an explanation for category other", "required"
        )
    ]


def test_generic_description_is_refused() -> None:
    _, problems = validate(replace(SALE, items=(replace(TSHIRT, description="Gift"),)))

    assert problems == [
        FieldProblem(
            "customs.items[0].description",
            "expected a specific description (such as 'cotton T-shirt'), not 'Gift'",
        )
    ]


def test_origin_country_is_required() -> None:
    _, problems = validate(replace(SALE, items=(replace(TSHIRT, origin_country=None),)))

    assert problems == [
        FieldProblem(
            "customs.items[0].origin_country",
            "expected the ISO country of origin such as CN",
            "required",
        )
    ]
