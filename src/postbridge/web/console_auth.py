"""Console sign-in and sign-out: ``GET/POST /login``, ``POST /logout``.

The sign-in form has no session yet, so its CSRF token is the HMAC of a nonce kept in a
short-lived cookie (``tokens.login_form_token``); a post without both is refused (403).
Signing in starts a new session (a cookie planted before it is of no use afterwards) and
revokes the one the browser had."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from postbridge.console.errors import SignInRefused, TooManySignInAttempts
from postbridge.console.service import sign_in, sign_out
from postbridge.console.tokens import login_form_token, login_form_token_matches, new_token
from postbridge.web.console_pages import (
    LOGIN_COOKIE,
    LOGIN_COOKIE_SECONDS,
    SESSION_COOKIE,
    clear_cookie,
    cookie_name,
    csrf_refused,
    current_identity,
    platform_of,
    render,
    safe_next,
    session_token,
    set_cookie,
    set_session_cookie,
    signed_in_form,
)

router = APIRouter(include_in_schema=False)
MAX_FIELD = 1024  # longer e-mails and passwords are refused before any work


def _login_page(
    request: Request, *, next_path: str, email: str = "", error: str | None = None,
    status_code: int = 200, headers: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    nonce = request.cookies.get(cookie_name(request, LOGIN_COOKIE))
    if not nonce or len(nonce) > 100:
        nonce = new_token()
    secret = platform_of(request).settings.secret_key
    response = render(
        request, "console/login.html",
        {"form_token": login_form_token(nonce, secret=secret), "next": next_path, "email": email,
         "error": error},
        identity=None, status_code=status_code, headers=headers,
    )  # fmt: skip
    set_cookie(request, response, LOGIN_COOKIE, nonce, max_age=LOGIN_COOKIE_SECONDS)
    return response


@router.get("/login")
def login_form(
    request: Request, next: Annotated[str | None, Query(max_length=500)] = None
) -> Response:
    if current_identity(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_path=safe_next(next))


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    platform = platform_of(request)
    nonce = request.cookies.get(cookie_name(request, LOGIN_COOKIE))
    if not login_form_token_matches(nonce, csrf_token, secret=platform.settings.secret_key):
        return csrf_refused(request, None)
    target = safe_next(next)
    email = email[:MAX_FIELD]
    if len(password) > MAX_FIELD:
        password = ""
    address = request.client.host if request.client else "unknown"
    try:
        signed = sign_in(
            database=platform.database, email=email, password=password, client_address=address
        )
    except TooManySignInAttempts as exc:
        seconds = str(max(1, int(exc.retry_after.total_seconds())))
        return _login_page(
            request, next_path=target, email=email, error=exc.detail, status_code=429,
            headers={"Retry-After": seconds},
        )  # fmt: skip
    except SignInRefused as exc:
        return _login_page(
            request, next_path=target, email=email, error=exc.detail, status_code=401
        )
    sign_out(database=platform.database, token=session_token(request))
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, signed.token)
    clear_cookie(request, response, LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> Response:
    checked = signed_in_form(request, csrf_token)
    if isinstance(checked, Response):
        return checked
    sign_out(database=platform_of(request).database, token=session_token(request))
    response = RedirectResponse("/login", status_code=303)
    clear_cookie(request, response, SESSION_COOKIE)
    return response
