"""What counts as a link to this forum in text a member wrote: one definition of this site's
hosts, for pings (forum/pings) and quotes (forum/writing) alike, in requests and in jobs."""
from __future__ import annotations

import html
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request


def site_hosts() -> set[str]:
    """The host names that mean "this forum" in a link a member wrote: SITE_URL's, the other
    names in SITE_HOSTS, SERVER_NAME's and, during a request, the host it came to (lower
    case, with any port). Pings and quotes both ask this, in requests and in jobs alike."""
    config = current_app.config
    hosts = {host.lower() for host in config.get("SITE_HOSTS") or ()}
    hosts.add(urlsplit(config.get("SITE_URL") or "").netloc.lower())
    hosts.add((config.get("SERVER_NAME") or "").lower())
    if has_request_context():
        hosts.add(request.host.lower())
    return hosts - {""}


def local_path(href: str, hosts: set[str] | None = None) -> str | None:
    """The path of a link (as stored in HTML: entities unescaped here) when it points at this
    forum: relative, or http(s) to one of `hosts` (site_hosts() if not given); else None."""
    try:
        parts = urlsplit(html.unescape(href).strip())
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc.lower() not in (
                site_hosts() if hosts is None else hosts):
            return None
    return parts.path
