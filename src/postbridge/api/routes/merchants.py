"""GET /v1/me: the merchant (or operator) behind the calling API key."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from postbridge.api.deps import PrincipalDep

router = APIRouter(tags=["merchants"])


class MeRead(BaseModel):
    merchant_id: str
    name: str
    role: str


@router.get("/me", response_model=MeRead, summary="Who am I: the merchant behind this API key")
def read_me(principal: PrincipalDep) -> MeRead:
    return MeRead(
        merchant_id=principal.merchant_id, name=principal.merchant_name, role=principal.role
    )
