"""Avatars: uploaded pictures cropped square, re-encoded at three sizes, served safely;
initials otherwise; shown on posts, topic rows and profiles without extra queries."""
from __future__ import annotations

import io

from PIL import Image

from forum.accounts.models import User
from forum.extensions import db
from tests.uploads.test_uploads import png_with_gps


def _upload(client, data, name="me.png"):
    return client.post("/settings/picture", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _wide() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (300, 100), (255, 0, 0))
    image.paste((0, 0, 255), (100, 0, 200, 100))  # a blue middle square
    image.save(out, "JPEG")
    return out.getvalue()


def test_upload_crops_the_middle_square_at_three_sizes(client, make, login, app):
    member = make.user("Grace Hopper")
    topic = make.topic(author=member, title="Compilers for all")
    login(member)
    assert 'avatar-initials' in client.get("/settings/picture").text
    assert ">GH</span>" in client.get(f"/t/{topic.id}-{topic.slug}").text
    assert _upload(client, _wide()).status_code == 302
    with app.app_context():
        key = db.session.get(User, member.id).avatar_key
    for size in (48, 96, 192):
        served = client.get(f"/avatars/{member.id}/{size}/{key}.png")
        assert served.status_code == 200 and served.mimetype == "image/png"
        picture = Image.open(io.BytesIO(served.data))
        assert picture.size == (size, size)
        red, green, blue = picture.convert("RGB").getpixel((size // 2, size // 2))
        assert blue > 200 and red < 60  # the middle (blue) square
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in served.headers["Content-Security-Policy"]
    visitor = app.test_client()
    for path in (f"/t/{topic.id}-{topic.slug}", "/u/Grace Hopper", "/f/" + topic.forum.slug):
        page = visitor.get(path).text
        assert f'src="/avatars/{member.id}/' in page, path
    assert client.get(f"/avatars/{member.id}/50/{key}.png").status_code == 404
    assert client.get(f"/avatars/{member.id}/48/{'0' * 32}.png").status_code == 302
    # Removing it brings the initials back.
    client.post("/settings/picture", data={"remove": "1"})
    assert client.get(f"/avatars/{member.id}/48/{key}.png").status_code == 404
    assert ">GH</span>" in visitor.get("/u/Grace Hopper").text


def test_only_pictures_are_accepted_and_exif_is_gone(client, make, login, app):
    member = make.user()
    login(member)
    refused = _upload(client, b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>",
                      "me.svg")
    assert refused.status_code == 200 and "That type of file cannot be attached." in refused.text
    refused = _upload(client, b"%PDF-1.4\n", "me.pdf")
    assert "Choose a picture" in refused.text
    assert _upload(client, png_with_gps()).status_code == 302
    with app.app_context():
        key = db.session.get(User, member.id).avatar_key
    served = client.get(f"/avatars/{member.id}/192/{key}.png").data
    assert not Image.open(io.BytesIO(served)).getexif() and b"Camera maker" not in served


def test_a_topic_page_costs_the_same_with_pictures(client, make, login, app, count_queries):
    members = [make.user() for _ in range(3)]
    topic = make.topic(author=members[0], replies=6, repliers=members)
    path = f"/t/{topic.id}-{topic.slug}"
    app.config["POST_LIST_CACHE_SECONDS"], kept = 0, app.config["POST_LIST_CACHE_SECONDS"]
    try:
        client.get(path)
        with count_queries() as initials:
            client.get(path)
        for member in members:
            other = app.test_client()
            login(member, client=other)
            _upload(other, _wide())
        client.get(path)
        with count_queries() as pictures:
            assert client.get(path).text.count('class="avatar avatar-48" src=') == 7
    finally:
        app.config["POST_LIST_CACHE_SECONDS"] = kept
    assert pictures.count == initials.count
