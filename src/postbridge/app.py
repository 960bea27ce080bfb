"""create_app(): the FastAPI application with the /v1 API, health probes and the web console."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from postbridge import __version__
from postbridge.addresses import preload as preload_addresses
from postbridge.api.contract import install_contract
from postbridge.api.limits import install_edge_limits
from postbridge.api.problems import install_problem_handlers
from postbridge.api.request_ids import RequestIdMiddleware
from postbridge.api.routes import (
    batches,
    capacity,
    health,
    jobs,
    labels,
    merchants,
    partner_notifications,
    rates,
    shipments,
    tracking,
    webhooks,
)
from postbridge.api.routes import events as events_routes
from postbridge.bootstrap import Platform, build_platform
from postbridge.config import Settings, get_settings
from postbridge.kit.clock import utc_now
from postbridge.web import console, tracking_page
from postbridge.web.docs import install_docs
from postbridge.web.security_headers import SecurityHeadersMiddleware

DESCRIPTION = """
postbridge books cross-border parcels, plans their route through the network, prints their
labels and tracks them through the network to their hand-over to the destination's postal
operator, which delivers them; scans after the hand-over show only when that post sends them.

Every `/v1` route needs an API key: `Authorization: Bearer pb_...` (create one with
`postbridge merchants create NAME`). Errors are RFC 9457 `application/problem+json` with a
stable `code` and, for invalid input, an `errors` list naming each field.
Money is `{"amount": "9.90", "currency": "USD"}`; weights are grams, lengths millimetres.
"""


def build_v1_router() -> APIRouter:
    v1 = APIRouter(prefix="/v1")
    v1.include_router(rates.router)
    v1.include_router(merchants.router)
    v1.include_router(shipments.router)
    v1.include_router(batches.router)
    v1.include_router(labels.router)
    v1.include_router(capacity.router)
    v1.include_router(jobs.router)
    v1.include_router(tracking.router)
    v1.include_router(webhooks.router)
    v1.include_router(events_routes.router)
    v1.include_router(partner_notifications.router)
    return v1


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> FastAPI:
    if platform is None:
        platform = build_platform(settings or get_settings())
    ready_platform = platform

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Build today's timetable and the address tables before the first request pays for them.
        ready_platform.quoter.warm_up(utc_now())
        preload_addresses()
        yield

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        title="postbridge",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "rates", "description": "Quotes with prices, promises and routes."},
            {"name": "shipments", "description": "Book, read, list and cancel shipments."},
            {"name": "shipment batches", "description": "Bulk capture from CSV files."},
            {"name": "labels", "description": "PDF, ZPL and PNG labels with customs forms."},
            {
                "name": "capacity",
                "description": "Operators: departures, daily capacity plans, disruptions.",
            },
            {"name": "jobs", "description": "Operators: the worker's jobs and dead letters."},
            {
                "name": "webhooks",
                "description": "Signed notifications to your endpoints, and the events API.",
            },
            {
                "name": "tracking",
                "description": "Tracking events in, trackers out; exceptions for operators.",
            },
            {"name": "merchants", "description": "The caller and its keys."},
            {
                "name": "partners",
                "description": "What last-mile partners push to postbridge (signed by them).",
            },
            {"name": "health", "description": "Liveness and readiness probes."},
        ],
    )
    app.state.platform = platform
    install_problem_handlers(app)
    # Sizes, rate limit and load shedding: refused before routing, body reading or work.
    install_edge_limits(app, platform.settings)
    app.add_middleware(SecurityHeadersMiddleware)
    # Added last, so outermost: every response and log line of the request carries its id.
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health.router)
    app.include_router(build_v1_router())
    app.webhooks.include_router(webhooks.notifications)
    app.include_router(console.router)
    app.include_router(tracking_page.router)
    install_docs(app)
    install_contract(app)
    return app
