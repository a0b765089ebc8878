"""The demo has the old site's articles, series, tag archive, ping and site pages."""
from __future__ import annotations

from sqlalchemy import select

from forum.board.models import Topic
from forum.extensions import db


def test_demo_articles_series_ping_and_pages(app, client):
    assert "Demo content loaded." in app.test_cli_runner().invoke(args=["forum", "demo"]).output
    archive = "".join(client.get(f"/tags/customer-service?page={n}").text
                      for n in range(1, 8))
    assert "Tag Archive: customer service" in archive
    for title in ("Private Companies Can Recoup Customer Service Costs, Government Cannot",
                  "What&#39;s Your Opinion On Government Customer Service?"):
        assert title in archive
    managers = client.get("/tags/managers").text
    assert '<span class="month">Jan</span> <span class="day">26</span>' in managers
    series = client.get("/series/executive-order-13571-commentary").text
    assert series.index("Part 1 – Policy") < series.index("Part 2 – Service Plans/Activities")
    with app.app_context():
        new_series = db.session.scalar(select(Topic).where(Topic.title.startswith("New Series")))
        part_two = db.session.scalar(select(Topic).where(Topic.title.endswith("Activities")))
    page = client.get(f"/t/{new_series.id}-{new_series.slug}").text
    assert "1 ping" in page and "The “Payoff” For Government Managers" in page
    assert "Your question of the day" in page and "Coaching front-line staff" in page
    assert "Previous part:" in client.get(f"/t/{part_two.id}-{part_two.slug}").text
    for slug, title in (("about", "About"), ("privacy", "Privacy policy"),
                        ("contact", "Contact"), ("related-sites", "Related sites")):
        response = client.get(f"/pages/{slug}")
        assert response.status_code == 200 and f"<h1>{title}</h1>" in response.text
        assert "has not been written yet" not in response.text
    assert client.get("/articles").text.count("Continue reading") == 9
