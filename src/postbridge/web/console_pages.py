"""What every console page shares: the signed-in identity from the session cookie, the CSRF
check of a form post, and rendering under the nonce policy with ``Cache-Control: no-store``.

The session cookie is HttpOnly and SameSite=Lax; outside development it is also Secure and
named with the ``__Host-`` prefix (Secure, Path=/, no Domain: no subdomain can plant it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from postbridge import __version__
from postbridge.bootstrap import Platform
from postbridge.console.service import SESSION_LIFETIME, ConsoleIdentity, identity_for
from postbridge.console.tokens import tokens_match
from postbridge.web.security_headers import new_nonce, page_policy

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

SESSION_COOKIE = "postbridge_session"
LOGIN_COOKIE = "postbridge_login"  # the sign-in form's CSRF nonce, before there is a session
LOGIN_COOKIE_SECONDS = 3600


def platform_of(request: Request) -> Platform:
    return cast(Platform, request.app.state.platform)


def production(request: Request) -> bool:
    return platform_of(request).settings.env == "production"


def cookie_name(request: Request, base: str) -> str:
    return f"__Host-{base}" if production(request) else base


def session_token(request: Request) -> str | None:
    return request.cookies.get(cookie_name(request, SESSION_COOKIE))


def current_identity(request: Request) -> ConsoleIdentity | None:
    return identity_for(database=platform_of(request).database, token=session_token(request))


def set_cookie(
    request: Request, response: Response, base: str, value: str, *, max_age: int
) -> None:
    response.set_cookie(
        cookie_name(request, base), value, max_age=max_age, path="/", httponly=True,
        samesite="lax", secure=production(request),
    )  # fmt: skip


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    set_cookie(
        request, response, SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds())
    )


def clear_cookie(request: Request, response: Response, base: str) -> None:
    response.delete_cookie(
        cookie_name(request, base), path="/", httponly=True, samesite="lax",
        secure=production(request),
    )  # fmt: skip


def safe_next(target: str | None) -> str:
    """A same-site path to go to after signing in; anything else (another host, ``//x``,
    ``/\\x``, a scheme) is the home page."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ch in target for ch in "\r\n\t") or len(target) > 500:
        return "/"
    return target


def to_sign_in(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/login" if here == "/" else f"/login?next={quote(here, safe='/')}"
    return RedirectResponse(target, status_code=303)


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    identity: ConsoleIdentity | None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    nonce = new_nonce()  # the page's inline stylesheet runs by this nonce only
    values = {
        "version": __version__, "nonce": nonce, "identity": identity,
        "csrf_token": identity.csrf_token if identity else None, "active": None, **context,
    }  # fmt: skip
    return templates.TemplateResponse(
        request, template, values, status_code=status_code,
        headers={**page_policy(nonce), "Cache-Control": "no-store", **(headers or {})},
    )  # fmt: skip


def message_page(
    request: Request,
    *,
    identity: ConsoleIdentity | None,
    status_code: int,
    title: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return render(
        request, "console/message.html", {"title": title, "message": message},
        identity=identity, status_code=status_code, headers=headers,
    )  # fmt: skip


def csrf_refused(request: Request, identity: ConsoleIdentity | None) -> HTMLResponse:
    return message_page(
        request, identity=identity, status_code=403, title="Form refused",
        message="This form was refused: it did not carry this page's security token, so it may "
        "not have come from this site, or the page was open from an earlier sign-in. Go back, "
        "reload the page and send the form again.",
    )  # fmt: skip


def not_found(request: Request, identity: ConsoleIdentity | None, what: str) -> HTMLResponse:
    return message_page(
        request, identity=identity, status_code=404, title="Not found",
        message=f"There is no {what} here, or it is not yours to see.",
    )  # fmt: skip


def signed_in_form(
    request: Request, csrf_token: str | None
) -> ConsoleIdentity | RedirectResponse | HTMLResponse:
    """The identity behind a console form post whose CSRF token is the session's; otherwise
    the response to send: back to sign-in without a session, 403 without the token."""
    identity = current_identity(request)
    if identity is None:
        return RedirectResponse("/login", status_code=303)
    if not tokens_match(identity.csrf_token, csrf_token):
        return csrf_refused(request, identity)
    return identity
