"""Which URLs an endpoint may have (server-side request forgery guard).

Development: https to any host, or http to a loopback host (the demo and test receivers).
Production: https only, and the host must resolve to public addresses only: an endpoint that
resolves to a private, loopback, link-local, shared, multicast or reserved address would let a
merchant make the worker call the operator's own network. The dispatcher checks again before
each attempt in production, since a name can resolve differently later (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from postbridge.errors import InvalidInput

MAX_URL_LENGTH = 2000
Resolver = Callable[[str], list[str]]
_LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


def resolve_addresses(host: str) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6); empty when it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def literal_address(host: str) -> str | None:
    """The address when ``host`` is written as one (``[::1]`` as ``::1``), else None."""
    literal = _literal(host)
    return None if literal is None else str(literal)


def is_loopback_host(host: str) -> bool:
    literal = _literal(host)
    return literal.is_loopback if literal is not None else host.lower() in _LOOPBACK_NAMES


def non_public_addresses(host: str, resolve: Resolver = resolve_addresses) -> list[str] | None:
    """The addresses of ``host`` that are not public; None when it does not resolve."""
    literal = _literal(host)
    addresses = [str(literal)] if literal is not None else resolve(host)
    if not addresses:
        return None
    return [a for a in addresses if not is_public_address(a)]


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def checked_url(
    url: str, *, production: bool, field: str = "url", resolve: Resolver = resolve_addresses
) -> str:
    """``url`` if an endpoint may have it, else InvalidInput naming ``field``."""

    def refuse(message: str, code: str) -> InvalidInput:
        return InvalidInput.for_field(field, message, code=code)

    if len(url) > MAX_URL_LENGTH:
        raise refuse(f"at most {MAX_URL_LENGTH} characters", "too_long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise refuse(f"not a valid URL ({exc})", "invalid_url") from exc
    host = parts.hostname
    if parts.scheme not in ("https", "http") or not host:
        raise refuse("expected an absolute https:// URL", "invalid_url")
    if parts.username is not None or parts.password is not None:
        raise refuse("credentials in the URL are not accepted", "invalid_url")
    if parts.fragment:
        raise refuse("a URL with a #fragment is not accepted", "invalid_url")
    if port == 0:
        raise refuse("port 0 is not a port", "invalid_url")
    if parts.scheme == "http" and (production or not is_loopback_host(host)):
        where = "in production" if production else "except to a loopback host in development"
        raise refuse(f"http:// is not accepted {where}: use https://", "https_required")
    if production:
        blocked = non_public_addresses(host, resolve)
        if blocked is None:
            raise refuse(f"{host} does not resolve", "unresolvable_host")
        if blocked:
            raise refuse(
                f"{host} resolves to a non-public address ({', '.join(blocked)})",
                "private_address",
            )
    return url
