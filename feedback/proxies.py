"""The real client address behind a reverse proxy, believed only from proxies we trust.

``FEEDBACK_TRUSTED_PROXIES`` lists the proxies' addresses or networks. A request that comes
straight from one of them has its X-Forwarded-For and X-Forwarded-Proto applied by werkzeug's
ProxyFix (one hop), so rate limits count the parent's phone rather than the proxy, and
``request.is_secure`` knows the page was served over HTTPS. From any other address those
headers are ignored: anyone can send them.
"""

import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix


def parse_networks(text):
    """Return the networks in a comma-separated list of addresses and networks."""
    networks = []
    for part in (text or "").split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise ValueError(
                    f"FEEDBACK_TRUSTED_PROXIES: {part.strip()!r} is not an address or network"
                ) from None
    return tuple(networks)


class TrustedProxies:
    """WSGI middleware: ProxyFix for requests from a trusted proxy, nothing for the rest."""

    def __init__(self, app, networks):
        self.app = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1)
        self.networks = networks

    def trusted(self, address):
        try:
            address = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ, start_response):
        if self.trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)


def init_app(app):
    """Wrap the app so that trusted proxies' forwarded headers are applied."""
    networks = parse_networks(app.config.get("TRUSTED_PROXIES"))
    if networks:
        app.wsgi_app = TrustedProxies(app.wsgi_app, networks)
