"""FastAPI dependencies: the platform, a unit of work per request, and the calling principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from postbridge.bootstrap import Platform
from postbridge.errors import NotAuthenticated, PermissionDenied
from postbridge.merchants.service import Principal, authenticate
from postbridge.storage.unit_of_work import UnitOfWork

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer pb_...`")


def get_platform(request: Request) -> Platform:
    return cast(Platform, request.app.state.platform)


PlatformDep = Annotated[Platform, Depends(get_platform)]


def get_uow(platform: PlatformDep) -> Iterator[UnitOfWork]:
    with platform.database.unit_of_work() as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


def get_principal(
    platform: PlatformDep,
    uow: UowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise NotAuthenticated("send your API key as 'Authorization: Bearer <key>'")
    return authenticate(uow=uow, token=credentials.credentials, pepper=platform.settings.secret_key)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_operator(principal: PrincipalDep) -> Principal:
    if not principal.is_operator:
        raise PermissionDenied("this operation needs an operator key")
    return principal


OperatorDep = Annotated[Principal, Depends(require_operator)]
