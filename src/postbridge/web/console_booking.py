"""The New shipment page of a merchant user (issue 15 point 4): a form that books as
``POST /v1/shipments`` does, with the same body, the same validation and the same idempotency.

``POST /shipments/new/check`` answers the page's script (``static/new_shipment.js``) as the user
types: the field messages of that validation and, once the addresses and parcel pass, the quote
options (``Quoter.rates``, as ``POST /v1/rates``) to choose the product from. Without the script
the "Get quotes" button re-renders the page with them. Operators belong to no merchant: they
book nothing here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from postbridge.bootstrap import Platform
from postbridge.console.service import ConsoleIdentity
from postbridge.console.tokens import tokens_match
from postbridge.errors import FieldProblem, PostbridgeError
from postbridge.kit.clock import utc_now
from postbridge.shipments import booking
from postbridge.shipments.views import shipment_input
from postbridge.web import booking_form
from postbridge.web.booking_form import BookingCheck, FormBody
from postbridge.web.console_pages import (
    current_identity,
    message_page,
    platform_of,
    render,
    signed_in_form,
    templates,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)
PAGE = "console/new_shipment.html"
CSRF_HEADER = "X-CSRF-Token"
MAX_FORM_FIELDS = 200  # the form has about 90; more is not this form
REUSED_PAGE = ("This page already booked a shipment with other values. Send the form again to "
               "book these values as another shipment.")  # fmt: skip
ROLE_NAMES = {"sender": "Sender", "recipient": "Recipient", "parcel": "Parcel",
              "customs": "Customs"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class FormReview:
    """What the page shows of a filled-in form: a message per input, the problems no input
    holds, and the quote options (None until the addresses and parcel pass)."""

    form_body: FormBody
    check: BookingCheck
    errors: dict[str, str]
    general: list[str]
    quotes: list[dict[str, Any]] | None
    quotes_message: str | None


def review_form(platform: Platform, form: dict[str, str]) -> FormReview:
    form_body = booking_form.booking_body(form)
    now = utc_now()
    check = booking_form.check_booking(form_body.body, deps=platform.booking, booked_at=now)
    errors: dict[str, str] = {}
    general: list[str] = []
    for problem in check.problems:
        name = booking_form.form_field_for(problem.field, form_body.rows)
        if name is None:
            general.append(_whole(problem))
        else:
            errors[name] = (
                f"{errors[name]}; {problem.message}" if name in errors else problem.message
            )
    quotes, quotes_message = _quotes(platform, form_body, check, now)
    return FormReview(form_body, check, errors, general, quotes, quotes_message)


def _whole(problem: FieldProblem) -> str:
    where = ROLE_NAMES.get(problem.field.split(".")[0].split("[")[0])
    return f"{where}: {problem.message}" if where else problem.message


def _quotes(
    platform: Platform, form_body: FormBody, check: BookingCheck, now: datetime
) -> tuple[list[dict[str, Any]] | None, str | None]:
    request = booking_form.rate_request(form_body.body, check)
    if request is None:
        return None, "Quotes show once the addresses and the parcel are complete and valid."
    try:
        options = platform.quoter.rates(request, now=now)
    except PostbridgeError as exc:
        return [], f"No quote: {exc.detail}"
    return [option.to_json() for option in options], None


def _form_values(data: Any) -> dict[str, str] | None:
    """A form's fields as text, or None for anything that is not this form's."""
    if not isinstance(data, dict) or len(data) > MAX_FORM_FIELDS:
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        return None
    return dict(data)


def _blank_form() -> dict[str, str]:
    values = {f"customs.items[{row}].unit_value.currency": booking_form.DEFAULT_CURRENCY
              for row in range(booking_form.ITEM_ROWS)}  # fmt: skip
    return {**values, "incoterm": "DDU", "customs.category": "sale_of_goods"}


def _page(
    request: Request,
    identity: ConsoleIdentity,
    values: dict[str, str],
    *,
    review: FormReview | None = None,
    status_code: int = 200,
) -> Response:
    key = values.get("idempotency_key") or secrets.token_urlsafe(24)
    return render(
        request, PAGE,
        {"active": "new_shipment", "operator_only": False, "values": values,
         "idempotency_key": key, "errors": review.errors if review else {},
         "general": review.general if review else [],
         "quotes": review.quotes if review else None,
         "quotes_message": review.quotes_message if review else None,
         "chosen": values.get("service", ""), "form": booking_form},
        identity=identity, status_code=status_code,
    )  # fmt: skip


def _operators_book_nothing(request: Request, identity: ConsoleIdentity) -> Response:
    return render(
        request, PAGE, {"active": "new_shipment", "operator_only": True}, identity=identity
    )


@router.get("/shipments/new")
def new_shipment(request: Request) -> Response:
    identity = current_identity(request)
    if identity is None:
        return to_sign_in(request)
    if identity.merchant_id is None:
        return _operators_book_nothing(request, identity)
    return _page(request, identity, _blank_form())


def _json_refusal(status_code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status_code, headers=_no_store())


def _no_store() -> dict[str, str]:
    return {"Cache-Control": "no-store"}


@router.post("/shipments/new/check")
async def check_shipment(request: Request) -> Response:
    identity = current_identity(request)
    if identity is None:
        return _json_refusal(401, "You are signed out: sign in again to check this form.")
    if not tokens_match(identity.csrf_token, request.headers.get(CSRF_HEADER)):
        return _json_refusal(
            403, f"Refused: the {CSRF_HEADER} header is not this session's token; reload the page."
        )
    if identity.merchant_id is None:
        return _json_refusal(403, "Operators belong to no merchant and book no shipment here.")
    try:
        values = _form_values(await request.json())
    except ValueError:
        values = None
    if values is None:
        return _json_refusal(
            422, "body: expected a JSON object of the form's field names and their text values"
        )
    # Quoting is CPU work: in the thread pool, never on the event loop.
    review = await run_in_threadpool(review_form, platform_of(request), values)
    return JSONResponse(_review_json(request, review, values), headers=_no_store())


def _review_json(request: Request, review: FormReview, values: dict[str, str]) -> dict[str, Any]:
    quotes_html = templates.get_template("console/_booking_quotes.html").render(
        quotes=review.quotes, quotes_message=review.quotes_message,
        chosen=values.get("service", ""),
    )  # fmt: skip
    return {
        "errors": [
            {"field": name, "id": booking_form.field_id(name), "message": message}
            for name, message in review.errors.items()
        ],
        "general": review.general,
        "quotes": [
            {
                "product": q["product"],
                "product_name": q["product_name"],
                "partner": q["partner"],
                "service": q["service"],
                "total": q["price"]["total"],
                "p50": q["promise"]["p50"],
                "p90": q["promise"]["p90"],
            }
            for q in review.quotes or []
        ],  # fmt: skip
        "quotes_message": review.quotes_message,
        "quotes_html": quotes_html,
    }


@router.post("/shipments/new")
async def book_from_form(request: Request) -> Response:
    form = await request.form()
    values = _form_values({k: v for k, v in form.items() if isinstance(v, str)})
    token = values.get("csrf_token") if values else None
    checked = signed_in_form(request, token)
    if not isinstance(checked, ConsoleIdentity):
        return checked
    identity = checked
    if identity.merchant_id is None:
        return _operators_book_nothing(request, identity)
    if values is None:
        return message_page(
            request, identity=identity, status_code=422, title="Form refused",
            message="This is not the New shipment form: reload the page and fill it in again.",
        )  # fmt: skip
    platform = platform_of(request)
    review = await run_in_threadpool(review_form, platform, values)
    if values.get("action") == "quote" or not review.check.valid:
        status = 200 if values.get("action") == "quote" else 422
        return _page(request, identity, values, review=review, status_code=status)
    assert review.check.shipment is not None
    try:
        booked = await run_in_threadpool(
            _book, platform, identity.merchant_id, review.check, values.get("idempotency_key")
        )
    except PostbridgeError as exc:
        general = [*review.general, exc.detail]
        if exc.code == "idempotency_key_reused":
            # This page booked already (the user went back and changed it): a new key lets
            # the next send book the changed form as a shipment of its own, knowingly.
            values = {**values, "idempotency_key": ""}
            general.append(REUSED_PAGE)
        failed = FormReview(
            review.form_body, review.check, review.errors, general, review.quotes,
            review.quotes_message,
        )  # fmt: skip
        return _page(request, identity, values, review=failed, status_code=exc.http_status)
    return RedirectResponse(f"/shipments/{booked.shipment_id}", status_code=303)


def _book(
    platform: Platform, merchant_id: str, check: BookingCheck, idempotency_key: str | None
) -> booking.Booked:
    # Exactly as the API's route books: the same input, fingerprint and idempotency key, so
    # a second submit of the same page (a double click, a reload) answers with the first one.
    assert check.shipment is not None
    return booking.book(
        deps=platform.booking,
        merchant_id=merchant_id,
        shipment=shipment_input(check.shipment),
        idempotency_key=idempotency_key or None,
        request_hash=booking.request_fingerprint(check.shipment.model_dump(mode="json")),
    )
