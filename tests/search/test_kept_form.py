"""The search form (the box and its filters, as the request's arguments fill them in) and
the forums it offers are kept for everyone of one scope (forum/search/views.py); a form
with an error in it is rendered for its viewer."""
from __future__ import annotations

import re


def _form(page: str) -> str:
    return re.search(r'<form class="search-form".*?</form>', page, re.S).group(0)


def test_one_form_per_scope_and_arguments_each_showing_what_was_asked(
        app, make, login, rendered, count_queries):
    make.forum(title="Rotas and shifts", slug="rotas")
    url = "/search?q=rota&forum=rotas&kind=question"
    first = login(make.user(), client=app.test_client())
    second = login(make.user(), client=app.test_client())
    forms = [_form(first.get(url).text)]
    with count_queries() as counter:
        forms.append(_form(second.get(url).text))
    assert forms[0] == forms[1]
    assert '<option selected value="rotas">Rotas and shifts</option>' in forms[1]
    assert '<option selected value="question">' in forms[1] and 'value="rota"' in forms[1]
    # the forums it offers are kept with it: no statement for them
    assert not [s for s in counter.statements if "FROM forums" in s], counter.statements
    assert rendered.count("search/_form.html") == 1
    other = _form(second.get("/search?q=shift").text)
    assert 'value="shift"' in other and 'value="rota"' not in other
    assert '<option selected value="">All forums</option>' in other
    assert rendered.count("search/_form.html") == 2


def test_a_form_with_an_error_is_the_viewers_own(app, make, client, rendered):
    url = "/search?q=rota&since=2015-13-45"
    for _ in range(2):
        page = client.get(url)
        assert page.status_code == 400
        assert "Enter a real date, like 2015-01-27." in page.text
        assert 'value="2015-13-45"' in page.text  # what they typed, as typed
    assert rendered.count("search/_form.html") == 2
    assert "Enter a real date" not in client.get("/search?q=rota").text
