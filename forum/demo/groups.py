"""Demo groups: one private working group with its own forum (two topics), an open community
group whose members are listed, and a private conversation. Prose is our own."""
from __future__ import annotations

import inspect
from datetime import datetime

from ..accounts.models import User
from ..board import services as board
from ..conversations import services as conversations
from ..groups import services as groups
from ..groups.models import Joining

WORKING_GROUP = "Plain Language Working Group"
PRIVATE_FORUM = "plain-language-working-group"

TOPICS = [
    ("Helen Park", "2026-10-05 09:30", "Draft: ten words our forms should stop using",
     """
     Here is the first cut of the list we talked about on the call. Before it goes anywhere
     public, please mark any word your agency cannot drop yet, and say why.

     1. *pursuant to* → *under*
     2. *commence* → *start*
     3. *in the event that* → *if*
     4. *furnish* → *give* or *send*
     5. *remit* → *pay*
     """,
     [("Ruth Kaplan-Ellis", "2026-10-05 11:02",
       "Licensing can drop all five. *Pursuant to* is in two statutory forms, but the "
       "regulation only requires the meaning, not the words: I checked with counsel."),
      ("Priya Natarajan", "2026-10-06 08:40",
       "Our contact centre hears *remit* misread as *remove* at least weekly. Strongly in "
       "favour. Can we add *beneficiary* to the next round?")]),
    ("Ruth Kaplan-Ellis", "2026-10-12 14:15", "Pilot: rewriting the renewal letter together",
     """
     I would like one letter we all rewrite the same week, so we can compare notes instead of
     opinions. The licence renewal reminder is short, goes to 40,000 people a year and
     generates a lot of calls. Draft and call data in the shared folder; comments here.
     """,
     [("Helen Park", "2026-10-12 16:30",
       "Yes to this. I will run it past two of our accessibility testers on Thursday.")]),
]


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def load(users: dict[str, User]) -> None:
    """Runs inside the demo loader's transaction (its e-mail held back)."""
    working = groups.create_group(
        None, WORKING_GROUP,
        "Plain language leads from several agencies, comparing drafts before they go "
        "public. Members join by invitation.", joining=Joining.INVITATION)
    for name in ("Helen Park", "Ruth Kaplan-Ellis", "Priya Natarajan", "Dana Whitfield"):
        groups.add_member(None, working, users[name], owner=name == "Helen Park")
    groups.invite(users["Helen Park"], working, users["Samir Haddad"])
    community = groups.create_group(
        None, "Customer Service Network",
        "Anyone working on the front line of public services. Ask to join; the organisers "
        "say yes.", members_public=True, joining=Joining.REQUEST)
    for name in ("Priya Natarajan", "Samir Haddad", "Grace O'Connell"):
        groups.add_member(None, community, users[name], owner=name == "Priya Natarajan")
    groups.request_to_join(users["Tomás Ortega"], community)

    category = board.create_category("Working groups", 10)
    forum = board.create_forum(
        category, WORKING_GROUP,
        "Private to the working group: drafts and pilots before they are shared.",
        0, slug=PRIVATE_FORUM)
    groups.restrict_forum(None, forum, working, "read")
    for author, at, title, body, replies in TOPICS:
        topic = board.create_topic(users[author], forum, title, inspect.cleandoc(body),
                                   now=_time(at))
        for replier, when, text in replies:
            board.post_reply(users[replier], topic, text, now=_time(when))
    board.recount_forum(forum)

    conversations.start(
        users["Helen Park"], [users["Ruth Kaplan-Ellis"]], "Counsel's note on statutory forms",
        "Could you forward the note from counsel about *pursuant to*? I would like to quote "
        "it in the guidance, with their permission.")
