"""Attachments: type by content, pictures re-encoded without EXIF/GPS, bombs and oversized or
unknown files refused with a clear message and the typed text kept, downloads only for those
who may see the post, never anything a browser would run."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from forum import create_app
from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Post, Topic
from forum.config import TestConfig
from forum.extensions import db
from forum.uploads.models import Attachment, UploadBlob
from tests.conftest import config_dict
from tests.factories import PASSWORD

GPS = 0x8825


def png_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[GPS] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif.tobytes())
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (20, 30, 200))
    exif = Image.Exif()
    exif[GPS] = {1: "N", 2: (51.0, 30.0, 12.5)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(out, "PNG")  # 50 megapixels, a few kB
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def topic(make):
    return make.topic(title="Sharing screenshots")


def reply(client, topic, body="Here it is", files=(), alt=""):
    data = {"body": body, "submit": "Post reply", "alt": alt,
            "file": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/t/{topic.id}/reply", data=data, content_type="multipart/form-data")


def attachments(app) -> list[Attachment]:
    with app.app_context():
        return list(db.session.scalars(select(Attachment).order_by(Attachment.id)))


def test_a_picture_comes_back_without_its_gps_and_a_pdf_as_a_download(client, make, login,
                                                                       topic, app):
    original = png_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS)  # the test file has GPS
    login(make.user())
    response = reply(client, topic, files=[("holiday.png", original), ("guide.pdf", PDF)],
                     alt="A red square")
    assert response.status_code == 302, response.text
    picture, pdf = attachments(app)
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert 'alt="A red square"' in page and f'src="/files/{picture.id}/thumb"' in page
    assert f'href="/files/{pdf.id}/guide.pdf"' in page and f"(PDF, {len(PDF)} bytes)" in page

    served = client.get(f"/files/{picture.id}/holiday.png")
    assert served.status_code == 200 and served.mimetype == "image/png"
    clean = Image.open(io.BytesIO(served.data))
    assert clean.size == (64, 48) and not clean.getexif() and b"Camera maker" not in served.data
    assert served.headers["Content-Disposition"] == 'inline; filename=holiday.png'
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    # the file's own policy only: the site's is added to responses that set none
    assert len(served.headers.getlist("Content-Security-Policy")) == 1
    assert served.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    download = client.get(f"/files/{pdf.id}/guide.pdf")
    assert download.data == PDF and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == "attachment; filename=guide.pdf"
    assert client.get(f"/files/{picture.id}/thumb").mimetype == "image/png"


def test_jpeg_gps_is_stripped_too(client, make, login, topic, app):
    login(make.user())
    assert reply(client, topic, files=[("p.jpg", jpeg_with_gps())], alt="Blue").status_code == 302
    (picture,) = attachments(app)
    served = client.get(f"/files/{picture.id}/p.jpg")
    assert served.mimetype == "image/jpeg"
    assert not Image.open(io.BytesIO(served.data)).getexif().get_ifd(GPS)


@pytest.mark.parametrize("name, content, message", [
    ("invoice.png", b"<html><body><script>alert(1)</script></body></html>",
     "That type of file cannot be attached."),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "That type of file cannot be attached."),
    ("logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
     "That type of file cannot be attached."),
    ("big.png", "bomb", "That picture is too large (10,000 × 5,000 pixels)."),
    ("program.exe", b"MZ\x90\x00\x03" + b"\x00" * 100, "That type of file cannot be attached."),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "That picture could not be read"),
])
def test_refused_files_say_why_and_keep_the_text(client, make, login, topic, app, name,
                                                  content, message):
    login(make.user())
    content = bomb() if content == "bomb" else content
    response = reply(client, topic, body="My long reply, typed with care",
                     files=[(name, content)], alt="A picture")
    assert response.status_code == 200
    assert message in response.text
    assert "My long reply, typed with care</textarea>" in response.text
    assert attachments(app) == []
    with app.app_context():  # nothing was posted either
        assert db.session.scalar(select(func.count(Post.id))) == 1


def test_size_and_daily_limits_and_missing_descriptions(client, make, login, topic, app):
    login(make.user())
    old = dict(app.config)
    app.config.update(UPLOAD_MAX_BYTES=1000, UPLOAD_DAILY_BYTES=len(PDF) * 3)
    try:
        refused = reply(client, topic, body="Kept text", files=[("big.pdf", PDF + b"x" * 2000)])
        assert refused.status_code == 200 and "Kept text</textarea>" in refused.text
        assert "“big.pdf” is too large: each file can be at most 1 kB." in refused.text
        assert reply(client, topic, files=[("a.pdf", PDF), ("b.pdf", PDF)]).status_code == 302
        over = reply(client, topic, body="Kept again", files=[("c.pdf", PDF), ("d.pdf", PDF)])
        assert "You can attach up to" in over.text and "Kept again</textarea>" in over.text
        no_alt = reply(client, topic, body="Picture", files=[("p.png", png_with_gps()[:0] or
                                                            jpeg_with_gps())])
        assert "Describe each picture" in no_alt.text
    finally:
        app.config.update(UPLOAD_MAX_BYTES=old["UPLOAD_MAX_BYTES"],
                          UPLOAD_DAILY_BYTES=old["UPLOAD_DAILY_BYTES"])
    assert len(attachments(app)) == 2


def test_a_hidden_posts_files_are_404_to_members(client, make, login, topic, app):
    author, member = make.user(), make.user()
    moderator = make.user(role=Role.MODERATOR)
    login(author)
    reply(client, topic, files=[("notes.pdf", PDF)])
    (pdf,) = attachments(app)
    url = f"/files/{pdf.id}/notes.pdf"
    assert app.test_client().get(url).status_code == 200  # public post: anyone
    with app.app_context():
        board.hide_post(db.session.get(User, author.id), db.session.get(Post, pdf.post_id))
        db.session.commit()
    assert app.test_client().get(url).status_code == 404
    assert login(member, client=app.test_client()).get(url).status_code == 404
    assert client.get(url).status_code == 200  # its author
    assert login(moderator, client=app.test_client()).get(url).status_code == 200
    assert client.get("/files/999999/x.pdf").status_code == 404


def test_file_names_and_descriptions_are_only_ever_text(client, make, login, topic, app):
    login(make.user())
    nasty = '<script>alert(1)</script><img src=x onerror=alert(2)>.pdf'
    alt = '"><img src=x onerror=alert(3)> <script>alert(4)</script>'
    assert reply(client, topic, files=[(nasty, PDF), ('x;\tSet-Cookie: a=b.png',
                                                      jpeg_with_gps())], alt=alt).status_code == 302
    pdf, picture = attachments(app)
    assert "/" not in pdf.filename and pdf.filename.endswith(".pdf")
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert ">script&gt;&lt;img src=x onerror=alert(2)&gt;.pdf</a>" in page  # the name, as text
    assert 'alt="&#34;&gt;&lt;img src=x onerror=alert(3)&gt; &lt;script&gt;alert(4)' in page
    served = client.get(f"/files/{picture.id}/{picture.filename}")
    assert "Set-Cookie" not in served.headers and picture.filename == "x;Set-Cookie: a=b.jpg"
    assert "\n" not in served.headers["Content-Disposition"]
    assert client.get(f"/files/{pdf.id}/x").headers["Content-Disposition"].startswith(
        "attachment; filename=")


def test_the_database_backend_is_shared_by_every_app_server(app, make, topic):
    others = [create_app({**config_dict(TestConfig), "UPLOAD_STORAGE": "database",
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
              for _ in range(2)]
    try:
        user = make.user()
        one, two = (other.test_client() for other in others)
        one.post("/login", data={"login": user.email, "password": PASSWORD})
        assert reply(one, topic, files=[("shared.pdf", PDF)]).status_code == 302
        (pdf,) = attachments(app)
        with app.app_context():
            assert db.session.get(UploadBlob, pdf.storage_key).data == PDF
        assert two.get(f"/files/{pdf.id}/shared.pdf").data == PDF  # another server
    finally:
        for other in others:
            with other.app_context():
                db.session.remove()
                db.engine.dispose()


def test_a_page_of_posts_with_files_costs_one_query_more(client, make, login, topic, app,
                                                         count_queries):
    login(make.user())
    app.config["POST_LIST_CACHE_SECONDS"], kept = 0, app.config["POST_LIST_CACHE_SECONDS"]
    path = f"/t/{topic.id}-{topic.slug}"
    reply(client, topic, body="No file")
    client.get(path)
    with count_queries() as without:
        client.get(path)
    for i in range(3):
        reply(client, topic, files=[(f"f{i}.pdf", PDF)])
    client.get(path)
    with count_queries() as with_files:
        assert client.get(path).text.count('class="attachment-file"') == 3
    app.config["POST_LIST_CACHE_SECONDS"] = kept
    assert with_files.count == without.count + 1
