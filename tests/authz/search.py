"""Search is open to everyone; what each person finds is tested in tests/search/."""
from tests.authz import EVERYONE

ROWS = {
    ("search.search", "GET"): (lambda w: "/search?q=question&sort=date", None, EVERYONE),
}
