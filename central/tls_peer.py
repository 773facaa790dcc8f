"""The client certificate of a mutual-TLS connection, handed to the app.

uvicorn does not put the peer certificate into the ASGI scope, and the scope is built
inline in the HTTP protocol's event handler. `PeerCertH11Protocol` (uvicorn's h11
protocol, pinned with `http=` in uvicorn.Config) therefore reads the certificate once
per connection, when the TLS handshake is done, and wraps the app of that connection
so that every request's scope carries it as the ASGI TLS extension:
`scope["extensions"]["tls"]` with `client_cert_chain` (the leaf, PEM) and
`client_cert_name` (RFC 4514), plus `client_cert_identities`: the subject's common
names and the DNS names of its subjectAltName, which `client_identities` returns.

The protocol is a subclass with one overridden method: nothing of uvicorn is copied,
and a uvicorn that renamed `app` would fail the mutual-TLS tests, not silently pass.
"""
from __future__ import annotations

import asyncio
import ssl
from typing import Any, cast

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

IDENTITIES = "client_cert_identities"
#: RFC 4514 short names of the attributes Python's getpeercert() spells out.
_SHORT = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU",
          "countryName": "C", "localityName": "L", "stateOrProvinceName": "ST",
          "domainComponent": "DC"}


def peer_certificate_info(ssl_object: ssl.SSLObject | ssl.SSLSocket | None
                          ) -> dict[str, Any] | None:
    """The TLS extension's fields for a connection's verified client certificate, or
    None when the client presented none (plain HTTP, or TLS without client certs)."""
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    parsed = ssl_object.getpeercert()  # {} unless the certificate was verified
    if not der or not parsed:
        return None
    # getpeercert(): subject is RDNs of (key, value) pairs, subjectAltName (kind, value).
    subject = cast("tuple[tuple[tuple[str, str], ...], ...]", parsed.get("subject", ()))
    alt_names = cast("tuple[tuple[str, str], ...]", parsed.get("subjectAltName", ()))
    common_names = [value for rdn in subject for key, value in rdn if key == "commonName"]
    dns_names = [value for kind, value in alt_names if kind == "DNS"]
    name = ",".join(f"{_SHORT.get(key, key)}={value}" for rdn in reversed(subject)
                    for key, value in rdn)
    return {"server_cert": None, "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)],
            "client_cert_name": name, "client_cert_error": None,
            "tls_version": None, "cipher_suite": None,
            IDENTITIES: sorted(set(common_names) | set(dns_names))}


def client_identities(scope: Scope) -> frozenset[str] | None:
    """The names the request's client certificate gives its holder (CN and DNS
    subjectAltNames; empty on a TLS connection without one), or None when the request
    did not come through `PeerCertH11Protocol` over TLS."""
    tls = (scope.get("extensions") or {}).get("tls")
    if not isinstance(tls, dict) or IDENTITIES not in tls:
        return None
    return frozenset(tls[IDENTITIES])


def _with_tls(app: ASGIApp, info: dict[str, Any]) -> ASGIApp:
    async def app_with_tls(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            extensions = dict(scope.get("extensions") or {})
            extensions["tls"] = dict(info, **{IDENTITIES: list(info[IDENTITIES])})
            scope["extensions"] = extensions
        await app(scope, receive, send)

    return app_with_tls


class PeerCertH11Protocol(H11Protocol):
    """uvicorn's h11 HTTP/1.1 protocol, with the client certificate in every scope."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None:
            return  # plain HTTP: no TLS extension, as the ASGI spec says
        # A TLS connection without a verified client certificate names nobody (empty
        # identities), so the app refuses it rather than treating it as plain HTTP.
        info = peer_certificate_info(ssl_object) or {
            "server_cert": None, "client_cert_chain": [], "client_cert_name": None,
            "client_cert_error": None, "tls_version": None, "cipher_suite": None,
            IDENTITIES: []}
        self.app = _with_tls(self.app, info)
