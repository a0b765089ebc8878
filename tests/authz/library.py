"""Authorization rows for the link library: reading and following links is for everyone;
adding and editing links is for staff, moderators and admins."""
from __future__ import annotations

from forum.accounts.models import User
from forum.extensions import db
from forum.library import services as library
from tests.authz import EVERYONE, STAFF


def build(app, make, people, world) -> None:
    staff = db.session.get(User, people["staff"].id)
    link = library.create_link(staff, library.LinkData(
        title="How US state governments can improve customer service",
        url="https://www.example.com/state-service", annotation="A short summary.",
        source_author="McKinsey", section="Reports", tags="customer service"))
    world.extra["link_id"] = link.id


def _link(world) -> str:
    return f"/links/{world.extra['link_id']}"


FORM = {"title": "A new link", "url": "https://www.example.gov/report",
        "annotation": "Worth reading.", "submit": "Add link"}

ROWS = {
    ("library.index", "GET"): (lambda w: "/library?sort=views&tag=customer-service", None,
                               EVERYONE),
    ("library.link", "GET"): (_link, None, EVERYONE),
    ("library.go", "GET"): (lambda w: f"{_link(w)}/go", None, EVERYONE),
    ("library.new", "GET"): (lambda w: "/links/new", None, STAFF),
    ("library.new", "POST"): (lambda w: "/links/new", lambda w: dict(FORM), STAFF),
    ("library.edit", "GET"): (lambda w: f"{_link(w)}/edit", None, STAFF),
    ("library.edit", "POST"): (lambda w: f"{_link(w)}/edit",
                               lambda w: dict(FORM, title="An edited link",
                                              submit="Save changes"), STAFF),
}
