"""Which web addresses the forum may link to and fetch: no internal network.

`normalise(url)` is the one check of a link's address (at save, in the form, in /go): an
absolute http(s) URL with a host, no credentials, no control, bidi or other invisible format
characters; the host is IDNA-normalised (UTS #46, "xn--" form) so what is stored and shown is
what a browser would visit. `refusal(host)` resolves a host and says why it may not be
fetched when any of its addresses is not globally routable: loopback, private, link-local
(cloud metadata at 169.254.169.254 and fd00:ec2::254 included), shared, reserved, multicast,
unspecified, IPv4-mapped forms of those. It is asked when a link is saved and again by the
link checker before every request and redirect hop, so `flask forum check-links` never maps
the network. LINK_ALLOWED_NETWORKS (CIDRs) lets an operator allow a network on purpose.

What remains: a name that resolves to a public address when checked and to an internal one a
moment later (DNS rebinding) could still be fetched once; the checker only reads status
codes, never shows bodies, and reports errors in general words.
"""
from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from urllib.parse import urlsplit, urlunsplit

import idna
from flask import current_app

from ..errors import Invalid

URL_MAX = 2000
SHAPE = "Enter a full web address, like https://www.example.gov/page."


def _invisible(c: str) -> bool:
    return c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def normalise(url: str) -> str:
    """The address as stored: checked, with an ASCII (IDNA) host; Invalid on the url field."""
    url = (url or "").strip()
    if not url:
        raise Invalid("Enter the link's address.", "url")
    if len(url) > URL_MAX:
        raise Invalid(f"The address can be at most {URL_MAX:,} characters.", "url")
    if any(_invisible(c) for c in url):
        raise Invalid("The address cannot contain spaces, control characters or invisible "
                      "direction marks (they can make it show as something else).", "url")
    try:
        parts = urlsplit(url)
        port = parts.port  # a malformed port raises ValueError
    except ValueError:
        raise Invalid(SHAPE, "url") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise Invalid("Only web addresses starting with http:// or https:// can be added "
                      "(not javascript:, data: or others).", "url")
    if not parts.hostname or "\\" in url or (port is not None and port == 0):
        raise Invalid(SHAPE, "url")
    if parts.username is not None or parts.password is not None:
        raise Invalid("The address cannot contain a user name or password (the part before "
                      "@): it can hide where the link really goes.", "url")
    host = parts.hostname.rstrip(".")
    try:
        ascii_host = _ip(host).compressed
        netloc_host = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    except ValueError:
        try:
            ascii_host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            raise Invalid("That domain name is not valid.", "url") from None
        netloc_host = ascii_host
    netloc = netloc_host + (f":{port}" if port is not None else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


def _ip(host: str):
    """The IP address a host is written as, in any form a resolver accepts (127.1,
    2130706433, 0x7f000001 included), or ValueError when it is a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        if re.fullmatch(r"[0-9a-fA-FxX.]+", host) and any(c.isdigit() for c in host):
            try:
                return ipaddress.IPv4Address(socket.inet_aton(host))
            except OSError:
                pass
        raise


def resolve(host: str) -> list[str]:
    """The addresses a host name stands for ([] if it cannot be resolved now)."""
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(
            host, None, type=socket.SOCK_STREAM)})
    except (OSError, UnicodeError):
        return []


def allowed_networks() -> list:
    """LINK_ALLOWED_NETWORKS: networks an operator allows although they are not public."""
    return [ipaddress.ip_network(net, strict=False)
            for net in current_app.config.get("LINK_ALLOWED_NETWORKS", ())]


def _internal(address: str, allowed: list) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if any(ip.version == net.version and ip in net for net in allowed):
        return False
    return not ip.is_global or ip.is_multicast


def refusal(url: str, allowed: list | None = None) -> str | None:
    """Why the forum may not fetch this address (an internal host), or None. `allowed`
    defaults to the app's LINK_ALLOWED_NETWORKS (pass it where there is no app context)."""
    allowed = allowed_networks() if allowed is None else allowed
    host = (urlsplit(url).hostname or "").rstrip(".")
    try:
        addresses = [_ip(host).compressed]
    except ValueError:
        addresses = resolve(host)
    if any(_internal(address, allowed) for address in addresses):
        return ("That address points inside a private network (a local, private or "
                "link-local address). Only public web addresses can be added.")
    return None


def check_public(url: str) -> None:
    """Invalid on the url field if the address points inside a private network."""
    if message := refusal(url):
        raise Invalid(message, "url")
