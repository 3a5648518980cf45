"""Believe X-Forwarded-For / X-Forwarded-Proto only when the request comes straight from
one of the reverse proxies named in TRUSTED_PROXIES (Werkzeug's ProxyFix, one hop).
Anyone else can write those headers, so from anyone else they are ignored: the client
address is then the connection's own (what the sign-in limit and the pupil-link throttle
count by)."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

from werkzeug.middleware.proxy_fix import ProxyFix


class TrustedProxies:
    def __init__(self, app, networks: list[str]):
        self.app = app
        self.networks = [ip_network(n) for n in networks]
        # X-Forwarded-Host stays ignored: nginx passes a client's own header through, and
        # set-password links are built from the host.
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=0)

    def _trusted(self, remote: str) -> bool:
        try:
            addr = ip_address(remote)
        except ValueError:
            return False
        return any(addr in net for net in self.networks)

    def __call__(self, environ, start_response):
        if self.networks and self._trusted(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)
