from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import pagecache

from ..errors import Invalid, keeps_input
from ..handlers import act, complete
from ..client_address import client_address
from ..board import postlist
from ..permissions import TopicAbilities, can, require
from . import queries, services
from .forms import LinkForm
from .services import LinkData

bp = Blueprint("library", __name__)

COMMENTS_SHOWN = 25


@bp.app_template_filter("link_host")
def link_host(url: str) -> str:
    """The site a link leads to, as people say it: "www.mckinsey.com"."""
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _link_or_404(link_id: int):
    link = queries.link(link_id)
    if link is None:
        abort(404)
    require(current_user, "view_topic", link.topic)
    return link


def _data(form: LinkForm) -> LinkData:
    return LinkData(title=form.title.data or "", url=form.url.data or "",
                    annotation=form.annotation.data or "",
                    source_author=form.source_author.data or "",
                    section=form.section.data or "", tags=form.tags.data or "")


@bp.get("/library")
def index():
    sort = request.args.get("sort", "section")
    if sort not in queries.SORTS:
        sort = "section"
    tag = None
    if slug := request.args.get("tag"):
        tag = queries.tag_by_slug(slug[:60])
        if tag is None:
            abort(404)
    manage = can(current_user, "manage_links")
    shelf = tag.id if tag else 0
    # The count and the page are the same for every visitor and member, and for all staff:
    # kept (issue 15), dropped by any write to a listed topic (an entry is one) or to the
    # whole site.
    _, page, _, body = pagecache.kept_listing(
        f"library:{shelf}", [pagecache.SITE, pagecache.LISTS],
        lambda: queries.link_count(tag), queries.PER_PAGE,
        lambda page: f"library:{sort}:{shelf}:{page}:{int(manage)}",
        lambda total, page, pages: render_template(
            "library/_index_body.html", links=queries.links(sort, tag, page), total=total,
            page=page, pages=pages, sort=sort, sorts=queries.SORTS, tag=tag,
            tags=queries.tags_in_use(), manage=manage))
    return render_template("library/index.html", body=Markup(body), tag=tag, page=page)


@bp.get("/links/<id:link_id>")
def link(link_id: int):
    link = _link_or_404(link_id)
    comments = queries.comments(link.topic, COMMENTS_SHOWN)
    abilities = TopicAbilities(current_user._get_current_object(), link.topic)
    return render_template("library/link.html", link=link, topic=link.topic,
                           comments=comments, shown=COMMENTS_SHOWN,
                           comments_html=postlist.post_list(link.topic, comments, abilities))


@bp.get("/links/<id:link_id>/go")
def go(link_id: int):
    """Count the visit (once per visitor per window) and send the person to the address.

    Only ever the stored address: nothing in the request chooses where this goes."""
    link = _link_or_404(link_id)
    try:  # stored addresses were checked when entered; check again all the same
        url = services.check_url(link.url)
    except Invalid:
        abort(404)
    if request.method == "GET":  # a HEAD (link preview, checker) is not a visit
        visitor = services.visitor_key(
            current_user.id if current_user.is_authenticated else None,
            client_address())
        response = act(lambda: services.record_click(link, visitor), url)
    else:
        response = redirect(url, 302)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/links/new", methods=["GET", "POST"])
@login_required
@keeps_input
def new():
    require(current_user, "manage_links")
    form = LinkForm()
    del form.reason
    if form.validate_on_submit():
        def save():
            link = services.create_link(current_user, _data(form))
            return url_for("library.link", link_id=link.id), "The link has been added."
        if done := complete(form, save):
            return done
    return render_template("library/form.html", form=form, link=None)


@bp.route("/links/<id:link_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def edit(link_id: int):
    link = _link_or_404(link_id)
    require(current_user, "manage_links", link)
    topic = link.topic
    form = LinkForm(title=topic.title, url=link.url, source_author=link.source_author or "",
                    annotation=topic.first_post.body_source, section=link.section,
                    tags=", ".join(tag.name for tag in topic.tags))
    form.submit.label.text = "Save changes"
    if form.validate_on_submit():
        def save():
            changed = services.edit_link(current_user, link, _data(form),
                                         reason=form.reason.data)
            return (url_for("library.link", link_id=link.id),
                    "Your changes have been saved." if changed else "Nothing was changed.")
        if done := complete(form, save):
            return done
    return render_template("library/form.html", form=form, link=link)
