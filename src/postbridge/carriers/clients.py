"""The partners' HTTP clients, built from the partners file and the post profiles, one per
partner and channel for the life of the process (each keeps its connection pool, its rate
limit and, for USPS, its cached OAuth token).

Built by the composition root (``bootstrap``) and used by the use cases above ``carriers``
(advance data, hand-over, tracking pulls), which ask by partner code and never name one.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping

import httpx

from postbridge.carriers.http import PartnerHttp
from postbridge.carriers.origin import OriginClient
from postbridge.carriers.partners_file import Connection, LabelRegistration, PartnersFile
from postbridge.carriers.upu.client import UpuExchangeClient
from postbridge.carriers.upu.profiles import DEFAULT_PARTNER, PostProfile
from postbridge.carriers.usps.client import UspsClient
from postbridge.errors import PartnerError

ORIGIN = "ORIGIN"  # the origin sorting centre, in logs and errors


class PartnerNotConfigured(PartnerError):
    """The partners file has no connection for this partner and channel (an operator fixes the
    file; retrying cannot help)."""

    code = "partner_not_configured"
    title = "No connection to this partner is configured"


class PartnerClients:
    def __init__(
        self,
        partners_file: PartnersFile,
        profiles: Mapping[str, PostProfile],
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        """``transport``: tests and the in-process sandbox replace the network with it."""
        self.partners_file = partners_file
        self.profiles = dict(profiles)
        self._transport = transport
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._exchanges: dict[str, UpuExchangeClient] = {}
        self._usps: dict[str, UspsClient] = {}
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

    def usps(self, partner: str) -> UspsClient | None:
        """USPS's own APIs for a partner whose entry has ``usps_api``; None for the others."""
        with self._lock:
            client = self._usps.get(partner)
            if client is None:
                entry = self.partners_file.for_partner(partner)
                connection = entry.usps_api if entry else None
                if connection is None:
                    return None
                if connection.client_id is None or connection.client_secret is None:
                    raise PartnerNotConfigured(
                        f"{self.partners_file.source}: {partner}.usps_api needs client_id "
                        "and client_secret"
                    )
                client = UspsClient(
                    self._http(connection, partner),
                    client_id=connection.client_id,
                    client_secret=connection.client_secret,
                )
                self._usps[partner] = client
            return client

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
            https += [client.http for client in self._usps.values()]
            if self._origin is not None:
                https.append(self._origin.http)
            for http in https:
                http.close()
            self._exchanges.clear()
            self._usps.clear()
            self._origin = None
