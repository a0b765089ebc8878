"""Government domains and the "Government staff" badge.

Admins list the domains whose addresses belong to government staff ("gov", "gc.ca",
"gov.uk", "agency.example"); each one includes its subdomains. A member whose *verified*
address is at such a domain has `users.is_government_verified` set. The flag is derived and
stored: it is recomputed here when a member's address is verified or changed and when the
domain list changes, so pages only read a column.

Matching is on whole labels of the address's domain, compared in one canonical form
(lower case, no trailing dot, international names in their ASCII "xn--" form):
`sub.gov.example` matches `gov.example`; `notgov.example` and `gov.example.attacker.test`
do not.
"""
from __future__ import annotations

import re
from datetime import datetime

import idna
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock, events, pagecache
from ..errors import Invalid
from ..extensions import db
from ..permissions import require
from .models import OidcIdentity, User

LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
MAX_DOMAINS_SHOWN = 500


class GovernmentDomain(db.Model):
    __tablename__ = "government_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Canonical form (see canonical_domain); unique, so a domain is listed once.
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    @property
    def unicode_name(self) -> str:
        """How people write an international domain ("xn--bcher-kva.example" is
        "bücher.example")."""
        try:
            return idna.decode(self.domain)
        except (idna.IDNAError, UnicodeError):
            return self.domain


# ---------------------------------------------------------------------------- pure rules

def canonical_domain(text: str) -> str | None:
    """The canonical form of a domain name, or None if it is not one.

    Case and a trailing dot are ignored, and international names become their ASCII
    ("xn--") form, so every way of writing a domain compares equal.
    """
    text = (text or "").strip().rstrip(".")
    if not text or len(text) > 253 or any(c.isspace() for c in text):
        return None
    try:
        ascii_name = idna.encode(text, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    ascii_name = ascii_name.lower()
    if len(ascii_name) > 253:
        return None
    labels = ascii_name.split(".")
    if not all(LABEL.fullmatch(label) for label in labels):
        return None
    if labels[-1].isdigit():
        return None  # an IP address is not a domain
    return ascii_name


def address_domain(address: str | None) -> str | None:
    """The canonical domain of an e-mail address, or None if it has none."""
    if not address or "@" not in address:
        return None
    return canonical_domain(address.rpartition("@")[2])


def domain_matches(domain: str | None, allowed: str) -> bool:
    """True when `domain` is `allowed` or one of its subdomains (whole labels only)."""
    return domain is not None and (domain == allowed or domain.endswith("." + allowed))


def is_government_address(address: str | None, allowed: list[str] | tuple[str, ...]) -> bool:
    domain = address_domain(address)
    return any(domain_matches(domain, entry) for entry in allowed)


# -------------------------------------------------------------------- reads and writes

def domain_names() -> list[str]:
    return list(db.session.scalars(select(GovernmentDomain.domain)
                                   .order_by(GovernmentDomain.domain)))


def all_domains() -> list[GovernmentDomain]:
    return list(db.session.scalars(select(GovernmentDomain)
                                   .order_by(GovernmentDomain.domain)
                                   .limit(MAX_DOMAINS_SHOWN)))


def get_domain(domain_id: int) -> GovernmentDomain | None:
    return db.session.get(GovernmentDomain, domain_id)


def _vouched_for(user_ids: list[int]) -> set[int]:
    """Members a government identity provider vouched for (a verified address it sent)."""
    return set(db.session.scalars(select(OidcIdentity.user_id).where(
        OidcIdentity.user_id.in_(user_ids), OidcIdentity.government_verified.is_(True))))


def refresh_badge(user: User) -> None:
    """Recompute one member's flag (after their address was verified or changed), and tell
    the features that follow addresses (forum/events.py)."""
    was = bool(user.is_government_verified)
    user.is_government_verified = (
        (user.email_verified_at is not None
         and is_government_address(user.email, domain_names()))
        or bool(_vouched_for([user.id])))  # or a government identity provider said so
    if user.is_government_verified != was:
        pagecache.changed(pagecache.SITE)  # the badge shows beside their posts everywhere
    events.address_changed.send(user)  # groups by e-mail domain follow the address


def recompute_all() -> int:
    """Recompute every member's flag after the domain list changed; returns how many moved.

    Only verified members (or those a government identity provider vouched for) can hold
    the badge. Their addresses are read in batches (id and
    address only) and the flags that differ are written with one UPDATE per batch and value,
    so this costs a pass over the members once per admin change and nothing per page.
    """
    allowed = domain_names()
    changed = 0
    last_id = 0
    while True:
        rows = db.session.execute(
            select(User.id, User.email, User.email_verified_at, User.is_government_verified)
            .where(User.id > last_id).order_by(User.id).limit(1000)).all()
        if not rows:
            break
        last_id = rows[-1].id
        vouched = _vouched_for([row.id for row in rows])
        flips: dict[bool, list[int]] = {True: [], False: []}
        for row in rows:
            wanted = (row.email_verified_at is not None
                      and is_government_address(row.email, allowed)) or row.id in vouched
            if wanted != bool(row.is_government_verified):
                flips[wanted].append(row.id)
        for value, ids in flips.items():
            if ids:
                db.session.execute(update(User).where(User.id.in_(ids))
                                   .values(is_government_verified=value),
                                   execution_options={"synchronize_session": "fetch"})
                changed += len(ids)
    if changed:
        pagecache.changed(pagecache.SITE)  # badges beside posts on kept pages and post lists
    return changed


# A starting set an admin can tick on the domains page rather than type: suffixes that
# governments publish as theirs (each entry covers its subdomains).
SUGGESTED: tuple[tuple[str, str], ...] = (
    ("gov", "United States federal government"),
    ("mil", "United States military"),
    ("gov.uk", "United Kingdom government"),
    ("gov.scot", "Scottish Government"),
    ("gov.wales", "Welsh Government"),
    ("gc.ca", "Government of Canada"),
    ("canada.ca", "Government of Canada (public services)"),
    ("gov.au", "Australian governments"),
    ("govt.nz", "New Zealand government"),
    ("gov.ie", "Government of Ireland"),
    ("europa.eu", "European Union institutions"),
    ("gouv.fr", "French government"),
    ("bund.de", "German federal government"),
    ("admin.ch", "Swiss federal administration"),
    ("gov.sg", "Singapore government"),
    ("gov.in", "Government of India"),
    ("gov.za", "South African government"),
)


def suggestions(entries: list[GovernmentDomain]) -> list[tuple[str, str]]:
    """The suggested suffixes not on the list yet (covered ones included: "gov.uk" stays
    offered while only "justice.gov.uk" is listed)."""
    listed = {entry.domain for entry in entries}
    return [(suffix, whose) for suffix, whose in SUGGESTED if suffix not in listed]


def add_suggested(actor: User, suffixes: list[str]) -> list[str]:
    """Add the ticked suggested suffixes (others, and those already listed, are skipped);
    the badges are recomputed once. Returns the suffixes added."""
    require(actor, "manage_government_domains")
    known = dict(SUGGESTED)
    wanted = [s for s in dict.fromkeys(suffixes) if s in known]
    if not wanted:
        raise Invalid("Tick at least one suffix to add.", "suffix")
    listed = set(db.session.scalars(select(GovernmentDomain.domain)
                                    .where(GovernmentDomain.domain.in_(wanted))))
    added = [s for s in wanted if s not in listed]
    for suffix in added:
        db.session.add(GovernmentDomain(domain=suffix, added_by_id=actor.id,
                                        created_at=clock.now()))
    db.session.flush()
    if added:
        recompute_all()
    return added


def add_domain(actor: User, text: str) -> GovernmentDomain:
    require(actor, "manage_government_domains")
    domain = canonical_domain(text.removeprefix("@").removeprefix("*.")
                              if text else "")
    if domain is None:
        raise Invalid("Enter a domain name, like gov, gc.ca or agency.gov.uk.", "domain")
    if db.session.scalar(select(GovernmentDomain.id).where(GovernmentDomain.domain == domain)):
        raise Invalid(f"{domain} is already on the list.", "domain")
    entry = GovernmentDomain(domain=domain, added_by_id=actor.id, created_at=clock.now())
    db.session.add(entry)
    db.session.flush()
    recompute_all()
    return entry


def remove_domain(actor: User, entry: GovernmentDomain) -> None:
    """Take a domain off the list (a setting, not something a member posted)."""
    require(actor, "manage_government_domains")
    db.session.delete(entry)
    db.session.flush()
    recompute_all()
