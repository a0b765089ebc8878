"""The baseline: a minimal Flask app rendering a 20-item Jinja template.

run.py serves it with gunicorn beside the forum, with the same worker settings, and reports
each forum page's requests/s as a ratio to this one, so results compare across machines.

    .venv/bin/gunicorn --workers 4 --bind 127.0.0.1:8001 bench.baseline:app
"""
from __future__ import annotations

from flask import Flask

app = Flask(__name__)

TEMPLATE = app.jinja_env.from_string("""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<main>
  <h1>{{ title }}</h1>
  <ol>
  {% for item in items %}
    <li><a href="/t/{{ item.id }}">{{ item.title }}</a> by {{ item.author }},
      {{ item.replies }} replies</li>
  {% endfor %}
  </ol>
</main>
</body>
</html>
""")

ITEMS = [{"id": i, "title": f"Topic number {i} about public service", "author": f"Member {i}",
          "replies": i * 3} for i in range(1, 21)]


@app.get("/")
def index():
    return TEMPLATE.render(title="Baseline", items=ITEMS)
