"""Tax identifier check digits, with property tests for CPF and CNPJ.

The Receita Federal algorithms cannot catch every single-digit change: where a body position's
two weights add up to 11 (CPF position 6 counting from 1, CNPJ positions 1, 5 and 9) or its
second weight is 11 (CPF position 1), a change that moves both remainders between 0 and 1 leaves
both check digits unchanged. The properties below state exactly that, and one test shows a real
pair of valid CPFs one digit apart.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from postbridge.addresses.tax_ids import (
    TaxIdKind,
    classify_tax_id,
    clean_tax_id,
    cnpj_is_valid,
    cpf_is_valid,
    requirement_for,
    rut_is_valid,
    rut_verifier,
)

CPF_BLIND_POSITIONS = {0, 5}
CNPJ_BLIND_POSITIONS = {0, 4, 8}


def reference_check_digit(digits: list[int], first_weight: int) -> int:
    """Textbook form, written independently: (sum x 10) mod 11, 10 counting as 0."""
    total = sum(d * w for d, w in zip(digits, range(first_weight, 1, -1), strict=False))
    return total * 10 % 11 % 10


def make_cpf(body: str) -> str:
    digits = [int(c) for c in body]
    digits.append(reference_check_digit(digits, 10))
    digits.append(reference_check_digit(digits, 11))
    return "".join(map(str, digits))


def make_cnpj(body: str) -> str:
    weights_1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    weights_2 = [6, *weights_1]
    digits = [int(c) for c in body]
    for weights in (weights_1, weights_2):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        digits.append(0 if remainder < 2 else 11 - remainder)
    return "".join(map(str, digits))


def not_repeated(text: str) -> bool:
    return len(set(text)) > 1


cpf_bodies = st.text(alphabet="0123456789", min_size=9, max_size=9).filter(not_repeated)
cnpj_bodies = st.text(alphabet="0123456789", min_size=12, max_size=12).filter(not_repeated)


def change(number: str, position: int, offset: int) -> str:
    new_digit = (int(number[position]) + offset) % 10
    return number[:position] + str(new_digit) + number[position + 1 :]


@given(cpf_bodies)
def test_generated_cpfs_validate(body: str) -> None:
    assert cpf_is_valid(make_cpf(body))


@given(cpf_bodies, st.integers(0, 10), st.integers(1, 9))
def test_cpf_single_digit_change_is_refused_except_at_blind_positions(
    body: str, position: int, offset: int
) -> None:
    changed = change(make_cpf(body), position, offset)
    if position in CPF_BLIND_POSITIONS:
        # The validator still agrees with the reference algorithm there.
        assert cpf_is_valid(changed) == (changed == make_cpf(changed[:9]) and not_repeated(changed))
    else:
        assert not cpf_is_valid(changed)


@given(cnpj_bodies)
def test_generated_cnpjs_validate(body: str) -> None:
    assert cnpj_is_valid(make_cnpj(body))


@given(cnpj_bodies, st.integers(0, 13), st.integers(1, 9))
def test_cnpj_single_digit_change_is_refused_except_at_blind_positions(
    body: str, position: int, offset: int
) -> None:
    changed = change(make_cnpj(body), position, offset)
    if position in CNPJ_BLIND_POSITIONS:
        assert cnpj_is_valid(changed) == (changed == make_cnpj(changed[:12]))
    else:
        assert not cnpj_is_valid(changed)


def test_two_valid_cpfs_can_differ_in_one_digit() -> None:
    assert cpf_is_valid("42785357400")
    assert cpf_is_valid("42785157400")


def test_known_numbers() -> None:
    assert cpf_is_valid("52998224725")
    assert not cpf_is_valid("52998224724")
    assert not cpf_is_valid("11111111111")
    assert not cpf_is_valid("5299822472")
    assert cnpj_is_valid("11222333000181")
    assert not cnpj_is_valid("11222333000182")
    assert not cnpj_is_valid("00000000000000")


def test_alphanumeric_cnpj_from_july_2026() -> None:
    # Receita Federal's published example of the alphanumeric CNPJ.
    assert cnpj_is_valid("12ABC34501DE35")
    assert not cnpj_is_valid("12ABC34501DE36")


def test_chilean_rut_verifier_including_k() -> None:
    assert rut_verifier("12345678") == "5"
    assert rut_is_valid("123456785")
    assert not rut_is_valid("123456784")
    assert rut_verifier("10000013") == "K"
    assert rut_is_valid("10000013K")


def test_cleaning_keeps_letters_and_drops_separators() -> None:
    assert clean_tax_id(" 529.982.247-25 ") == "52998224725"
    assert clean_tax_id("11.222.333/0001-81") == "11222333000181"
    assert clean_tax_id("12.345.678-k") == "12345678K"


def test_kind_is_picked_by_shape() -> None:
    kinds = (TaxIdKind.CPF, TaxIdKind.CNPJ)
    assert classify_tax_id("52998224725", kinds) is TaxIdKind.CPF
    assert classify_tax_id("11222333000181", kinds) is TaxIdKind.CNPJ
    assert classify_tax_id("123", kinds) is None


def test_requirements_are_data() -> None:
    brazil = requirement_for("BR")
    chile = requirement_for("CL")

    assert brazil is not None
    assert chile is not None
    assert (brazil.required, brazil.kinds) == (True, (TaxIdKind.CPF, TaxIdKind.CNPJ))
    assert (chile.required, chile.kinds) == (False, (TaxIdKind.RUT,))
    assert requirement_for("US") is None
