"""Files are never lost to a Preview or a problem elsewhere in the form (they come back as
pending uploads the form names), and an existing post's files can be added and removed by
editing it, with the removed ones kept and shown in its history."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import clock
from forum.extensions import db
from forum.uploads.models import Attachment
from forum.uploads.storage import storage
from tests.uploads.test_uploads import PDF, jpeg_with_gps


@pytest.fixture
def topic(make):
    return make.topic(title="Sharing screenshots")


def _post(client, url, **fields):
    files = fields.pop("files", ())
    data = {**fields, "file": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(url, data=data, content_type="multipart/form-data")


def _rows(app) -> list[Attachment]:
    with app.app_context():
        return list(db.session.scalars(select(Attachment).order_by(Attachment.id)))


def _kept_ids(page: str) -> list[str]:
    return re.findall(r'name="pending" value="(\d+)"', page)


def test_files_are_kept_across_preview(client, make, login, topic, app):
    login(make.user())
    url = f"/t/{topic.id}/reply"
    shown = _post(client, url, body="Look at this", alt="A blue square", preview="Preview",
                  files=[("square.jpg", jpeg_with_gps()), ("guide.pdf", PDF)])
    assert shown.status_code == 200
    kept = _kept_ids(shown.text)
    assert len(kept) == 2 and "square.jpg" in shown.text and "guide.pdf" in shown.text
    assert all(row.post_id is None for row in _rows(app))  # kept, attached to nothing yet
    assert client.get(f"/files/{kept[0]}/square.jpg").status_code == 404  # never served
    done = _post(client, url, body="Look at this", alt="A blue square", submit="Post reply",
                 pending=kept)
    assert done.status_code == 302, done.text
    picture, pdf = _rows(app)
    assert picture.post_id == pdf.post_id is not None and picture.alt == "A blue square"
    assert client.get(f"/files/{pdf.id}/guide.pdf").data == PDF


def test_files_are_kept_when_something_else_is_wrong(client, make, login, topic, app):
    login(make.user())
    url = f"/t/{topic.id}/reply"
    empty = _post(client, url, body="", submit="Post reply", files=[("guide.pdf", PDF)])
    assert empty.status_code == 200 and "Write something before posting." in empty.text
    (kept,) = _kept_ids(empty.text)
    no_alt = _post(client, url, body="With a picture", submit="Post reply", pending=[kept],
                   files=[("square.jpg", jpeg_with_gps())])
    assert "Describe each picture" in no_alt.text
    kept_now = _kept_ids(no_alt.text)
    assert len(kept_now) == 2 and kept in kept_now
    # An unticked file is left out; the rest are attached.
    done = _post(client, url, body="With a picture", alt="Blue", submit="Post reply",
                 pending=[i for i in kept_now if i != kept])
    assert done.status_code == 302
    attached = [row for row in _rows(app) if row.post_id is not None]
    assert [row.filename for row in attached] == ["square.jpg"]


def test_nobody_attaches_someone_elses_kept_file(client, make, login, topic, app):
    owner = make.user()
    login(owner)
    page = _post(client, f"/t/{topic.id}/reply", body="", submit="Post reply",
                 files=[("guide.pdf", PDF)])
    (kept,) = _kept_ids(page.text)
    other = app.test_client()
    login(make.user(), client=other)
    done = _post(other, f"/t/{topic.id}/reply", body="Taking it", submit="Post reply",
                 pending=[kept, "99999", "x"])
    assert done.status_code == 302
    assert all(row.post_id is None for row in _rows(app))


def test_editing_adds_and_removes_files_and_history_keeps_them(client, make, login, topic,
                                                               app):
    author = make.user()
    login(author)
    assert _post(client, f"/t/{topic.id}/reply", body="First version", submit="Post reply",
                 files=[("old.pdf", PDF)]).status_code == 302
    (old,) = _rows(app)
    edit = f"/p/{old.post_id}/edit"
    assert "old.pdf" in client.get(f"/p/{old.post_id}", follow_redirects=True).text
    form = client.get(edit).text
    assert 'enctype="multipart/form-data"' in form and "old.pdf" in form
    assert f'name="remove_file" value="{old.id}"' in form
    done = _post(client, edit, body="First version", submit="Save changes", alt="Blue",
                 remove_file=[str(old.id)], files=[("new.jpg", jpeg_with_gps())])
    assert done.status_code == 302, done.text
    old_row, new_row = _rows(app)
    assert old_row.removed_at is not None and old_row.removed_by_id is not None
    assert new_row.post_id == old.post_id and new_row.removed_at is None
    page = client.get(f"/p/{old.post_id}", follow_redirects=True).text
    assert "new.jpg" in page or f"/files/{new_row.id}/thumb" in page
    assert "old.pdf" not in page
    history = client.get(f"/p/{old.post_id}/history").text
    assert "old.pdf" in history and "removed" in history and "new.jpg" in history
    assert "(JPEG image," in history and "image/jpeg" not in history  # kinds in words
    # The removed file is kept: its author and moderators can still open it, others not.
    assert client.get(f"/files/{old.id}/old.pdf").data == PDF
    member = app.test_client()
    login(make.user(), client=member)
    assert member.get(f"/files/{old.id}/old.pdf").status_code == 404
    assert member.get(f"/files/{new_row.id}/new.jpg").status_code == 200
    with app.app_context():
        from forum.board.models import Post
        assert db.session.get(Post, old.post_id).attachment_count == 1


def test_an_edit_over_the_file_limit_is_refused_and_keeps_the_files(client, make, login,
                                                                     topic, app):
    login(make.user())
    app.config["UPLOAD_MAX_FILES"], before = 2, app.config["UPLOAD_MAX_FILES"]
    try:
        assert _post(client, f"/t/{topic.id}/reply", body="Two files", submit="Post reply",
                     files=[("a.pdf", PDF), ("b.pdf", PDF)]).status_code == 302
        post_id = _rows(app)[0].post_id
        over = _post(client, f"/p/{post_id}/edit", body="Two files and more",
                     submit="Save changes", files=[("c.pdf", PDF)])
        assert over.status_code == 200 and "Attach at most 2 files" in over.text
        assert "Two files and more</textarea>" in over.text
    finally:
        app.config["UPLOAD_MAX_FILES"] = before


@pytest.mark.parametrize("backend", ["local", "database"])
def test_unsent_files_are_removed_after_a_day_by_the_scheduled_job(client, make, login, topic,
                                                                   app, tmp_path, backend):
    app.config.update(UPLOAD_STORAGE=backend, UPLOAD_DIR=str(tmp_path))
    login(make.user())
    url = f"/t/{topic.id}/reply"
    _post(client, url, body="Sent", submit="Post reply", files=[("sent.pdf", PDF)])
    _post(client, url, body="Never sent", preview="Preview", alt="A square",
          files=[("square.jpg", jpeg_with_gps())])
    clock.advance(timedelta(hours=23))
    _post(client, url, body="Sent later", preview="Preview", files=[("fresh.pdf", PDF)])
    sent, stale, fresh = _rows(app)
    assert sent.post_id and stale.post_id is None and fresh.post_id is None
    with app.app_context():
        assert all(storage().get(key) for key in (stale.storage_key, stale.thumb_key))
    clock.advance(timedelta(hours=2))
    result = app.test_cli_runner().invoke(args=["forum", "scheduled"])
    assert result.exit_code == 0, result.output
    assert "1 unsent upload(s) older than a day removed" in result.output
    assert [row.id for row in _rows(app)] == [sent.id, fresh.id]
    with app.app_context():
        assert storage().get(stale.storage_key) is None
        assert storage().get(stale.thumb_key) is None
        assert storage().get(sent.storage_key) == storage().get(fresh.storage_key) == PDF


def test_an_edit_of_files_alone_is_a_version_with_its_editor_and_reason(client, make, login,
                                                                       topic, app):
    login(make.user(name="Dana Editor"))
    assert _post(client, f"/t/{topic.id}/reply", body="The guide", submit="Post reply",
                 files=[("old.pdf", PDF)]).status_code == 302
    (old,) = _rows(app)
    done = _post(client, f"/p/{old.post_id}/edit", body="The guide", submit="Save changes",
                 reason="Newer guide", remove_file=[str(old.id)], files=[("new.pdf", PDF)])
    assert done.status_code == 302, done.text
    assert "Your changes have been saved." in client.get(done.location).text
    with app.app_context():
        from forum.board.models import Post, PostRevision
        post = db.session.get(Post, old.post_id)
        assert post.edited_at is not None
        revisions = list(db.session.scalars(select(PostRevision).where(
            PostRevision.post_id == post.id).order_by(PostRevision.id)))
    assert revisions[-1].file_changes == {"added": ["new.pdf"], "removed": ["old.pdf"]}
    assert revisions[-1].reason == "Newer guide"
    history = client.get(f"/p/{old.post_id}/history").text
    version = history.split("<h2>Version 2</h2>")[1].split("</li>\n  \n")[0]
    assert "Dana Editor" in version and "Reason: Newer guide" in version
    assert "<ins>new.pdf</ins> <span class=\"hint\">(file added)</span>" in version
    assert "<del>old.pdf</del> <span class=\"hint\">(file removed)</span>" in version
    assert "The text did not change." in version
    same = _post(client, f"/p/{old.post_id}/edit", body="The guide", submit="Save changes")
    assert "Nothing was changed." in client.get(same.location).text
