from __future__ import annotations

from postbridge.kit.ids import new_id
from postbridge.merchants.keys import hash_secret, issue_key, secret_matches, split_token


def test_ids_are_prefixed_unique_and_time_sortable() -> None:
    ids = [new_id("shp") for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert all(i.startswith("shp_") and len(i) == 30 for i in ids)
    assert [i[4:14] for i in ids] == sorted(i[4:14] for i in ids)


def test_key_round_trip_and_hash() -> None:
    issued = issue_key()
    assert split_token(issued.token) == (issued.prefix, issued.secret)
    digest = hash_secret(issued.secret, pepper="p" * 16)
    assert secret_matches(issued.secret, digest, pepper="p" * 16)
    assert not secret_matches(issued.secret + "x", digest, pepper="p" * 16)


def test_split_token_refuses_other_shapes() -> None:
    assert split_token("Bearer abc") is None
    assert split_token("pb__secret") is None
    assert split_token("sk_abc_def") is None
