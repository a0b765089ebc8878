"""Attachments (forum/uploads/): a public post's files are for everyone, like the post;
tests/uploads/ covers hidden and waiting posts."""
from forum.accounts.models import User
from forum.extensions import db
from forum.uploads import services
from tests.authz import ACCOUNT, EVERYONE
from forum.uploads import avatars
from tests.uploads.test_uploads import jpeg_with_gps


def build(app, make, people, world):
    """A picture on the author's own reply."""
    author = db.session.get(User, people["author"].id)
    (picture,) = services.attach(author, world.own_reply, [("photo.jpg", jpeg_with_gps())],
                                 ["A photo"])
    world.extra["attachment_id"] = picture.id
    avatars.set_avatar(author, jpeg_with_gps())
    world.extra["avatar"] = (author.id, author.avatar_key)


ROWS = {
    ("uploads.download", "GET"): (lambda w: f"/files/{w.extra['attachment_id']}/photo.jpg",
                                  None, EVERYONE),
    ("uploads.thumbnail", "GET"): (lambda w: f"/files/{w.extra['attachment_id']}/thumb",
                                   None, EVERYONE),
    ("uploads.avatar", "GET"): (lambda w: "/avatars/{}/48/{}.png".format(*w.extra["avatar"]),
                                None, EVERYONE),
    # One's own picture: members in good standing (suspended members may only look).
    ("uploads.avatar_settings", "GET"): (lambda w: "/settings/picture", None,
                                         dict(ACCOUNT, suspended="deny")),
    ("uploads.avatar_settings", "POST"): (lambda w: "/settings/picture", lambda w: {
        "remove": "1"}, dict(ACCOUNT, suspended="deny")),
}
