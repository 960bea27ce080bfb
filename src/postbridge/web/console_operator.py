"""Shared by the operator pages: signed-in operators only (a merchant user gets a 403 page)."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from postbridge.console.service import ConsoleIdentity
from postbridge.web.console_pages import current_identity, message_page, signed_in_form, to_sign_in


def operators_only(request: Request, identity: ConsoleIdentity) -> Response:
    return message_page(
        request, identity=identity, status_code=403, title="Operators only",
        message="This page is for postbridge operators; a merchant's users cannot open it.",
    )  # fmt: skip


def operator_page(request: Request) -> ConsoleIdentity | Response:
    identity = current_identity(request)
    if identity is None:
        return to_sign_in(request)
    if not identity.is_operator:
        return operators_only(request, identity)
    return identity


def operator_form(request: Request, csrf_token: str | None) -> ConsoleIdentity | Response:
    checked = signed_in_form(request, csrf_token)
    if isinstance(checked, RedirectResponse | Response):
        return checked
    if not checked.is_operator:
        return operators_only(request, checked)
    return checked
