"""kit.memo: bounded memos by key and by object identity."""

from __future__ import annotations

import gc

from postbridge.kit.memo import MISSING, IdentityMemo, Memo


def test_a_memo_remembers_none_and_forgets_everything_when_full() -> None:
    memo: Memo[str, int | None] = Memo(limit=2)
    assert memo.get("a") is MISSING
    assert memo.put("a", None) is None
    assert memo.get("a") is None
    memo.put("b", 2)
    memo.put("c", 3)  # the third entry clears the first two
    assert (memo.get("a"), memo.get("b"), memo.get("c"), len(memo)) == (MISSING, MISSING, 3, 1)


def basket_of(quantity: int) -> tuple[tuple[str, int], ...]:
    return (("shirt", quantity),)  # a new tuple each call (a literal would be one constant)


def test_an_identity_memo_answers_only_for_the_same_object_and_key() -> None:
    memo: IdentityMemo[str] = IdentityMemo(limit=10)
    basket, equal_basket = basket_of(2), basket_of(2)
    assert basket == equal_basket
    memo.put(basket, ("US", 1), "estimate")
    assert memo.get(basket, ("US", 1)) == "estimate"
    assert memo.get(basket, ("BR", 1)) is MISSING
    assert memo.get(equal_basket, ("US", 1)) is MISSING  # equal is not the same
    assert memo.put(basket, None, "other key") == "other key"
    assert memo.get(basket) == "other key"


def test_an_identity_memo_holds_its_owners_so_their_ids_are_not_reused() -> None:
    memo: IdentityMemo[int] = IdentityMemo(limit=1000)
    for value in range(100):
        memo.put([value], None, value)  # owners referenced only by the memo
    gc.collect()
    newcomers = [[n] for n in range(100)]
    assert all(memo.get(newcomer) is MISSING for newcomer in newcomers)
