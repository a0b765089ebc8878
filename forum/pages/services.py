"""Site pages: the four pages the footer links to, written and revised by admins."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import clock, markup
from ..accounts.models import User
from ..errors import Invalid
from ..extensions import db
from ..permissions import require
from .models import Page, PageRevision

# slug -> title, in footer order. A page not written yet shows a short note.
SITE_PAGES = {
    "about": "About",
    "privacy": "Privacy policy",
    "contact": "Contact",
    "related-sites": "Related sites",
}
TITLE_MAX = 150
BODY_MAX = 50_000


def page(slug: str) -> Page | None:
    return db.session.scalar(select(Page).where(Page.slug == slug))


def save_page(actor: User, slug: str, title: str, body: str, *, reason: str | None = None,
              now: datetime | None = None) -> tuple[Page, bool]:
    """Create or change a site page; every version is kept. (page, whether it changed)."""
    require(actor, "edit_page")
    if slug not in SITE_PAGES:
        raise Invalid("There is no site page with that name.")
    title = " ".join((title or "").split())
    if not 1 <= len(title) <= TITLE_MAX:
        raise Invalid(f"Title must be between 1 and {TITLE_MAX} characters.", "title")
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise Invalid("Write the page before saving it.", "body")
    if len(body) > BODY_MAX:
        raise Invalid(f"A page can be at most {BODY_MAX:,} characters.", "body")
    markup.check(body, "body")
    now = now or clock.now()
    current = page(slug)
    if current is not None and (current.title, current.body_source) == (title, body):
        return current, False
    if current is None:
        current = Page(slug=slug)
        db.session.add(current)
    current.title, current.body_source, current.body_html = title, body, markup.render(body)
    current.updated_at, current.updated_by_id = now, actor.id
    db.session.flush()
    db.session.add(PageRevision(page_id=current.id, editor_id=actor.id, title=title,
                                body_source=body, reason=(reason or "").strip()[:500] or None,
                                created_at=now))
    db.session.flush()
    return current, True


def revisions(page: Page) -> list[PageRevision]:
    return list(db.session.scalars(
        select(PageRevision).where(PageRevision.page_id == page.id)
        .order_by(PageRevision.created_at.desc(), PageRevision.id.desc())
        .options(joinedload(PageRevision.editor))))
