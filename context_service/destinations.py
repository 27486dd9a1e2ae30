"""Where webhooks may go: public addresses only, unless an admin lists an internal network.

A webhook URL set by an admin must not become a way into the service's own network
(server-side request forgery): loopback, link-local (cloud metadata at 169.254.169.254),
private, shared, multicast and reserved addresses are refused in every spelling
(`0x7f000001`, `2130706433`, `127.1` and `[::ffff:127.0.0.1]` are all 127.0.0.1), as are
the metadata services' host names. Delivery resolves the host again and connects to the
address it checked, so a name that later resolves inside (DNS rebinding) gets nowhere.
`WEBHOOK_ALLOWED_NETWORKS` lets a site whose receivers are internal name their networks.
"""

import http.client
import ipaddress
import socket
import urllib.request
from functools import partial

BLOCKED_NAMES = {"localhost", "metadata", "metadata.google.internal", "metadata.goog",
                 "instance-data", "instance-data.ec2.internal"}


class BlockedDestination(Exception):
    """The host is, or resolves to, an address webhooks may not reach."""


def _allowed(address: str, networks) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # no IPv6 zone
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in networks):
        return True
    return ip.is_global and not ip.is_multicast


def check_name(host: str) -> None:
    name = host.rstrip(".").lower()
    if name in BLOCKED_NAMES or name.endswith(".localhost"):
        raise BlockedDestination(f"{host} is an internal host name.")


def resolve(host: str, port: int, networks) -> list[str]:
    """The host's addresses, if every one of them may be reached (raises otherwise;
    socket.gaierror when the name does not resolve)."""
    check_name(host)
    addresses = list(dict.fromkeys(
        info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))
    refused = [a for a in addresses if not _allowed(a, networks)]
    if refused:
        raise BlockedDestination(f"{host} resolves to {refused[0]}, an internal address.")
    return addresses


def _connect(host: str, port: int, timeout, networks) -> socket.socket:
    error = None
    for address in resolve(host, port, networks):
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error or OSError(f"no address for {host}")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, networks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._networks = networks

    def connect(self):
        self.sock = _connect(self.host, self.port, self.timeout, self._networks)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, networks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._networks = networks

    def connect(self):
        sock = _connect(self.host, self.port, self.timeout, self._networks)
        # The certificate is checked against the name, the connection goes to the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not an acknowledgement, and the signed body goes only where it was set."""

    def redirect_request(self, *_args, **_kwargs):
        return None


def opener(networks) -> urllib.request.OpenerDirector:
    """urllib that connects only to vetted addresses, follows no redirects and ignores the
    environment's proxies: the admin's URL is the one place the body goes."""

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(partial(_GuardedHTTPConnection, networks=networks), req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(partial(_GuardedHTTPSConnection, networks=networks), req,
                                context=self._context)

    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects(),
                                       HTTPHandler(), HTTPSHandler())
