from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user, login_required

from ..errors import keeps_input
from ..handlers import preview_or_save
from ..permissions import require
from . import services
from .forms import PageForm

bp = Blueprint("pages", __name__)


def _known(slug: str) -> str:
    if slug not in services.SITE_PAGES:
        abort(404)
    return slug


@bp.get("/pages/<slug>")
def page(slug: str):
    slug = _known(slug)
    return render_template("pages/page.html", slug=slug, page=services.page(slug),
                           default_title=services.SITE_PAGES[slug])


@bp.route("/pages/<slug>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def edit(slug: str):
    slug = _known(slug)
    require(current_user, "edit_page")
    page = services.page(slug)
    form = PageForm(title=page.title if page else services.SITE_PAGES[slug],
                    body=page.body_source if page else "")
    preview = None
    if form.validate_on_submit():
        def save():
            _, changed = services.save_page(current_user, slug, form.title.data,
                                            form.body.data, reason=form.reason.data)
            return (url_for("pages.page", slug=slug),
                    "The page has been saved." if changed else "Nothing was changed.")
        preview, done = preview_or_save(form, save)
        if done:
            return done
    return render_template("pages/edit.html", slug=slug, page=page, form=form,
                           preview=preview, default_title=services.SITE_PAGES[slug])


@bp.get("/pages/<slug>/history")
@login_required
def history(slug: str):
    slug = _known(slug)
    require(current_user, "edit_page")
    page = services.page(slug)
    return render_template("pages/history.html", slug=slug, page=page,
                           default_title=services.SITE_PAGES[slug],
                           revisions=services.revisions(page) if page else [])


@bp.app_template_global()
def site_pages() -> dict[str, str]:
    """The footer's links: slug -> title."""
    return services.SITE_PAGES
