"""The partners' HTTP clients, built from the partners file and the post profiles, one per
partner and channel for the life of the process (each keeps its connection pool, its rate
limit and, for a partner's own API, whatever its adapter's client caches, e.g. an OAuth token).

Built by the composition root (``bootstrap``) with the partner registry, and used by the use
cases above ``carriers`` (advance data, hand-over, tracking pulls), which ask by partner code
and never name one: a partner's own API is spoken by its adapter (``adapter(partner)``), which
builds its client here through ``api`` from the partner's ``api`` entry.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import httpx

from postbridge.carriers.adapter import PartnerAdapter
from postbridge.carriers.http import PartnerHttp
from postbridge.carriers.origin import OriginClient
from postbridge.carriers.partners_file import (
    Connection,
    LabelRegistration,
    PartnerNotConfigured,
    PartnersFile,
)
from postbridge.carriers.registry import PartnerRegistry
from postbridge.carriers.upu.client import UpuExchangeClient
from postbridge.carriers.upu.profiles import DEFAULT_PARTNER, PostProfile

__all__ = ["ORIGIN", "PartnerClients", "PartnerNotConfigured"]

ORIGIN = "ORIGIN"  # the origin sorting centre, in logs and errors
ApiT = TypeVar("ApiT")


class PartnerClients:
    def __init__(
        self,
        partners_file: PartnersFile,
        profiles: Mapping[str, PostProfile],
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        registry: PartnerRegistry | None = None,
    ) -> None:
        """``transport``: tests and the in-process sandbox replace the network with it.
        ``registry``: the adapters that speak the partners' own APIs; without it, every partner
        is reached through the UPU-style exchange alone."""
        self.partners_file = partners_file
        self.profiles = dict(profiles)
        self.registry = registry
        self._transport = transport
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._exchanges: dict[str, UpuExchangeClient] = {}
        self._apis: dict[str, tuple[Any, PartnerHttp]] = {}
        self._origin: OriginClient | None = None

    def __repr__(self) -> str:
        return f"PartnerClients({self.partners_file.source!r})"

    def _http(self, connection: Connection, partner: str) -> PartnerHttp:
        return PartnerHttp(
            connection, partner=partner, transport=self._transport, sleep=self._sleep,
            rng=self._rng,
        )  # fmt: skip

    def profile(self, partner: str) -> PostProfile:
        return self.profiles.get(partner) or self.profiles[DEFAULT_PARTNER]

    def exchange(self, partner: str) -> UpuExchangeClient:
        """The UPU-style exchange with ``partner`` (advance data, event feed)."""
        with self._lock:
            client = self._exchanges.get(partner)
            if client is None:
                entry = self.partners_file.for_partner(partner)
                connection = entry.exchange if entry else None
                if connection is None or connection.api_key is None:
                    raise PartnerNotConfigured(
                        f"{self.partners_file.source}: no exchange with api_key for {partner}"
                    )
                client = UpuExchangeClient(
                    self._http(connection, partner),
                    api_key=connection.api_key,
                    profile=self.profile(partner),
                )
                self._exchanges[partner] = client
            return client

    def adapter(self, partner: str) -> PartnerAdapter | None:
        """The adapter serving ``partner`` (the registry's default for a partner without one of
        its own); None without a registry."""
        return None if self.registry is None else self.registry.adapter(partner)

    def api(self, partner: str, connect: Callable[[Connection, PartnerHttp], ApiT]) -> ApiT | None:
        """``partner``'s own API client, built once by its adapter's ``connect`` from the
        partner's ``api`` entry; None when the entry has none."""
        with self._lock:
            found = self._apis.get(partner)
            if found is None:
                entry = self.partners_file.for_partner(partner)
                connection = entry.api if entry else None
                if connection is None:
                    return None
                http = self._http(connection, partner)
                try:
                    found = (connect(connection, http), http)
                except BaseException:
                    http.close()
                    raise
                self._apis[partner] = found
            return cast(ApiT, found[0])

    def label_registration(self, partner: str) -> LabelRegistration | None:
        """How to register ``partner``'s labels; None: it takes parcels without registration."""
        entry = self.partners_file.for_partner(partner)
        return None if entry is None else entry.label_registration

    def origin(self) -> OriginClient:
        with self._lock:
            if self._origin is None:
                connection = self.partners_file.origin
                if connection is None:
                    raise PartnerNotConfigured(f"{self.partners_file.source}: no origin entry")
                self._origin = OriginClient(
                    self._http(connection, ORIGIN), api_key=connection.api_key
                )
            return self._origin

    def close(self) -> None:
        with self._lock:
            https = [client.http for client in self._exchanges.values()]
            https += [http for _client, http in self._apis.values()]
            if self._origin is not None:
                https.append(self._origin.http)
            for http in https:
                http.close()
            self._exchanges.clear()
            self._apis.clear()
            self._origin = None
