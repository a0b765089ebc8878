"""The composer's helpers (forum/writing/): members in good standing."""
from tests.authz import A

ROWS = {
    ("writing.preview", "POST"): (lambda w: "/compose/preview", lambda w: {"body": "*x*"}, A),
}
ROWS[("writing.quote", "GET")] = (lambda w: f"/p/{w.other_reply.id}/quote", None, A)
ROWS[("writing.save_draft", "POST")] = (lambda w: "/drafts",
                                        lambda w: {"key": f"reply:{w.topic.id}", "body": "x"}, A)
ROWS[("writing.mentions", "GET")] = (lambda w: f"/compose/mentions?q=a&topic={w.topic.id}",
                                     None, A)
