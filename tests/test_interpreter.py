"""Issue 20: CPython 3.11 frees an instance dict's values while SQLAlchemy still detaches it.

The crash needed three things together: CPython 3.11, a request that loads a few hundred ORM
objects, and base.html importing its macros `with context` (a fresh template module, holding
the whole render context, built on every render). These tests keep each leg out.
"""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORT_WITH_CONTEXT = re.compile(r"{%-?\s*(?:from\s+\S+\s+)?import\b[^%]*\bwith\s+context\b", re.S)


def test_the_interpreter_is_one_without_the_crash():
    assert sys.version_info[:2] >= (3, 12), sys.version


def test_no_template_imports_macros_with_context():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)!r}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for match in IMPORT_WITH_CONTEXT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "pass what a macro needs as arguments instead:\n" + "\n".join(offenders)


def test_the_pattern_catches_both_import_forms():
    assert IMPORT_WITH_CONTEXT.search('{%- from "macros/forms.html" import error_summary with context -%}')
    assert IMPORT_WITH_CONTEXT.search('{% import "macros/forms.html" as forms with context %}')
    assert not IMPORT_WITH_CONTEXT.search('{% from "macros/forms.html" import field %}')


# Runs in its own interpreter (the one running the suite) so a segfault is a failed test with
# its output, not a dead test run.
LOAD_AND_RENDER = textwrap.dedent("""
    import os, sys, tempfile
    os.environ["FORUM_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="forum-crash-")
    sys.path.insert(0, {root!r})
    from flask import render_template_string
    from flask_migrate import upgrade
    from sqlalchemy import insert, select
    from forum import create_app
    from forum.board.models import Tag
    from forum.config import TestConfig
    from forum.extensions import db
    from tests.conftest import config_dict

    url = "sqlite:///" + tempfile.mkdtemp(prefix="forum-crash-") + "/forum.db"
    app = create_app({{**config_dict(TestConfig), "SQLALCHEMY_DATABASE_URI": url}})

    PAGE = '{{% extends "base.html" %}}{{% block title %}}Tags{{% endblock %}}' \\
           '{{% block content %}}<ul>{{% for t in tags %}}<li>{{{{ t.name }}}}</li>{{% endfor %}}</ul>{{% endblock %}}'

    @app.get("/_many")
    def many():
        tags = db.session.scalars(select(Tag)).all()
        return render_template_string(PAGE, tags=tags)

    with app.app_context():
        upgrade()
        db.session.execute(insert(Tag), [{{"name": f"tag-{{i}}", "slug": f"tag-{{i}}"}} for i in range({objects})])
        db.session.commit()
    client = app.test_client()
    for _ in range({requests}):
        response = client.get("/_many")
        assert response.status_code == 200, response.status_code
        assert response.text.count("<li>tag-") == {objects}
    print("ok", {requests})
""")


def test_a_page_of_2000_orm_objects_renders_50_times_in_one_process():
    script = LOAD_AND_RENDER.format(root=str(ROOT), objects=2000, requests=50)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300, cwd=ROOT)
    assert result.returncode == 0, (
        f"exit {result.returncode} (-11 is SIGSEGV)\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    assert result.stdout.strip().endswith("ok 50")
