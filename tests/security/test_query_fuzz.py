"""Every query parameter of every GET page, fuzzed (issue 13, point 7): whatever a URL's query
string holds, no page answers 500. The routes are app.url_map's GET rules (the authorization
matrix builds a URL for each); the parameter names are every name the code reads from
request.args and every form field; values are anything, including dates at the edges of the
calendar. Plus the search date filter at the edge: until=9999-12-31 on both databases."""
from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

import forum
from forum.forms import Form
from tests.test_authorization import BUILDERS, MATRIX, build_world
from tests.test_fuzz import CHARS, TRICKY, fuzz
from tests.factories import PASSWORD
from forum.extensions import db

ROOT = Path(forum.__file__).parent
_ARGS = re.compile(r"""args\.(?:get|getlist|to_dict)\(\s*["'](\w+)["']""")


def parameter_names() -> list[str]:
    names = set()
    for path in ROOT.rglob("*.py"):
        names.update(_ARGS.findall(path.read_text()))
    for info in pkgutil.walk_packages(forum.__path__, "forum."):
        if info.name.endswith(".forms"):
            importlib.import_module(info.name)
    todo = [Form]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        names.update(name for name in dir(cls)
                     if not name.startswith("_") and hasattr(getattr(cls, name), "field_class"))
    return sorted(names)


EDGE_VALUES = ["9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30", "-1", "0",
               "99999999999999999999", "1e308", "NaN", "inf", "9999-12-31T23:59:59",
               "../", "%", "\u202e", "  ", "a" * 3000]
value = st.one_of(st.text(CHARS, max_size=40), st.sampled_from(TRICKY + EDGE_VALUES),
                  st.integers(-10**20, 10**20).map(str))
OK = {200, 301, 302, 303, 308, 400, 403, 404, 429}


def get_routes(app) -> list[tuple[str, str]]:
    routes = sorted({rule.endpoint for rule in app.url_map.iter_rules()
                     if "GET" in rule.methods and rule.endpoint != "static"})
    missing = [endpoint for endpoint in routes if (endpoint, "GET") not in MATRIX]
    assert not missing, f"GET routes without a matrix row to build their URL: {missing}"
    return routes


@pytest.mark.parametrize("role", ["visitor", "admin"])
def test_no_query_string_makes_any_get_page_fail(app, make, role):
    world, people = build_world(app, make)
    routes = get_routes(app)
    for builder in {BUILDERS[(e, "GET")] for e in routes if BUILDERS.get((e, "GET"))}:
        with app.app_context():
            builder(app, make, people, world)
            db.session.commit()
    client = app.test_client()
    if people[role] is not None:
        assert client.post("/login", data={"login": people[role].email,
                                           "password": PASSWORD}).status_code == 302
    urls = {}
    for endpoint in routes:
        url = MATRIX[(endpoint, "GET")][0](world).format(
            member=people["member"].display_name, suspended=people["suspended"].display_name)
        urls[endpoint] = url.split("?")[0]
    names = parameter_names()
    errors: list[str] = []

    @fuzz(max(40, 2 * len(routes)))
    @given(endpoint=st.sampled_from(routes),
           params=st.lists(st.tuples(st.one_of(st.sampled_from(names), st.text(CHARS, max_size=8)),
                                     value), min_size=1, max_size=4))
    def check(endpoint, params):
        url = urls[endpoint] + "?" + urlencode(params)
        response = client.get(url)
        assert response.status_code in OK, f"GET {url!r} as {role}: {response.status_code}"

    check()
    # and every parameter of every page once with each edge value, not left to chance
    for endpoint in routes:
        for edge in ("9999-12-31", "0001-01-01", "99999999999999999999", "\u202e"):
            url = urls[endpoint] + "?" + urlencode({name: edge for name in names})
            status = client.get(url).status_code
            if status not in OK:
                errors.append(f"GET {url[:120]}... as {role}: {status}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("params", [{"until": "9999-12-31"}, {"since": "9999-12-31"},
                                    {"since": "0001-01-01", "until": "9999-12-31"},
                                    {"since": "0001-01-01"}])
def test_search_dates_at_the_edges_of_the_calendar(client, make, params):
    make.topic(title="Calendar edges", body="Searching at the edge of time")
    response = client.get("/search?" + urlencode({"q": "edge", **params}))
    assert response.status_code == 200
