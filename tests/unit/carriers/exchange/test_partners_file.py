"""The partners file: the shipped default, environment substitution, redaction, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from postbridge.carriers.partners_file import (
    Connection,
    InductionAddress,
    LabelRegistration,
    PartnersFileError,
    RateLimit,
    RetryPolicy,
    Secret,
    Timeouts,
    load_partners_file,
    parse_partners_file,
)


def test_shipped_file_points_every_partner_at_the_sandbox_by_default() -> None:
    partners = load_partners_file(environ={})

    correos = partners.for_partner("CORREOS")
    usps = partners.for_partner("USPS")

    assert correos is not None
    assert usps is not None
    assert correos.exchange == Connection(
        base_url="http://127.0.0.1:8001/upu/CORREOS",
        api_key=Secret("sandbox-post-key"),
        timeouts=Timeouts(connect_s=3.0, read_s=15.0),
        retries=RetryPolicy(attempts=3, base_delay_s=0.5, max_delay_s=8.0, max_retry_after_s=30.0),
        rate_limit=RateLimit(per_second=10.0),
    )
    assert correos.api is None
    assert usps.exchange is not None
    assert usps.exchange.base_url == "http://127.0.0.1:8001/upu/USPS"
    assert usps.api is not None
    assert usps.api.base_url == "http://127.0.0.1:8001/usps"
    assert usps.api.client_id == "sandbox-client"
    assert usps.api.client_secret == Secret("sandbox-secret")
    assert usps.api.rate_limit == RateLimit(per_second=5.0)
    assert usps.label_registration == LabelRegistration(
        mail_class="USPS_GROUND_ADVANTAGE",
        mailed_from=InductionAddress(
            name="Inbound Operations", company="postbridge",
            street_lines=("JFK International Service Center", "Building 250"), city="Jamaica",
            region="NY", postal_code="11430",
        ),
    )  # fmt: skip
    assert correos.label_registration is None
    assert partners.origin is not None
    assert partners.origin.base_url == "http://127.0.0.1:8001"
    assert partners.origin.api_key == Secret("sandbox-origin-key")


def test_sandbox_url_and_secrets_come_from_the_environment() -> None:
    partners = load_partners_file(
        environ={
            "POSTBRIDGE_SANDBOX_URL": "http://127.0.0.1:9123",
            "POSTBRIDGE_USPS_CLIENT_SECRET": "from-the-vault",
        }
    )

    usps = partners.for_partner("USPS")
    assert usps is not None
    assert usps.api is not None
    assert usps.api.base_url == "http://127.0.0.1:9123/usps"
    assert usps.api.client_secret == Secret("from-the-vault")
    assert partners.for_partner("4-72").exchange.base_url == "http://127.0.0.1:9123/upu/4-72"  # type: ignore[union-attr]


def test_secrets_never_show_in_reprs() -> None:
    usps = load_partners_file(environ={"POSTBRIDGE_USPS_CLIENT_SECRET": "hunter2-hunter2"})

    text = repr(usps) + str(usps.for_partner("USPS"))

    assert "hunter2" not in text
    assert "sandbox-post-key" not in text
    assert "Secret('***')" in text


def test_an_operator_file_overrides_limits_per_connection(tmp_path: Path) -> None:
    path = tmp_path / "partners.yaml"
    path.write_text(
        "defaults:\n  timeouts: {connect_s: 1, read_s: 2}\n"
        "partners:\n  CORREOS:\n    exchange:\n      base_url: https://api.correos.example/itmatt/\n"
        "      api_key: ${CORREOS_KEY}\n      retries: {attempts: 5}\n"
    )

    partners = load_partners_file(path, environ={"CORREOS_KEY": "k-1"})

    correos = partners.for_partner("CORREOS")
    assert correos is not None
    assert correos.exchange is not None
    assert correos.exchange.base_url == "https://api.correos.example/itmatt"
    assert correos.exchange.timeouts == Timeouts(connect_s=1.0, read_s=2.0)
    assert correos.exchange.retries == RetryPolicy(attempts=5)
    assert partners.for_partner("SINGPOST") is None  # no "*" entry in this file
    assert partners.origin is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("partners:\n  X:\n    exchange: {base_url: ftp://x}\n", "partners.X.exchange.base_url"),
        ("partners:\n  X:\n    fax: {}\n", "partners.X.fax: unknown field"),
        ("origin: {base_url: 'http://x', api_key: ${MISSING}}\n", "${MISSING} is not set"),
        ("defaults:\n  retries: {attempts: 1.5}\n", "defaults.retries.attempts: expected a whole"),
        ("defaults:\n  timeouts: {read_s: 0}\n", "defaults.timeouts.read_s: expected a positive"),
    ],
)
def test_unusable_files_name_the_field(text: str, message: str) -> None:
    with pytest.raises(PartnersFileError) as error:
        parse_partners_file(text, source="p.yaml", environ={})
    assert message in str(error.value)
    assert str(error.value).startswith("p.yaml: ")
