"""Demo articles, series, tags and site pages (called once from loader.load()).

Titles, authors and dates of the articles come from the old site's tag archive and article
pages (seeds 000 and 004); every sentence of prose is written fresh for this forum. Bodies are
Markdown, one paragraph a line. A body may link to an earlier article with {link:key}, which
becomes its /t/<id>-<slug> address, so the demo shows a ping ("1 ping") like the old site.
"""
from __future__ import annotations

import inspect
import re
from datetime import datetime

from sqlalchemy import select

from ..accounts.models import Role, User
from ..articles import services as articles
from ..board import services as board
from ..board.models import Topic
from ..extensions import db
from ..pages import services as pages

SERIES_EO = "Executive Order 13571 commentary"

ARTICLES = [
    {
        "key": "launch",
        "title": "Customer Service In Government Website Launched",
        "author": "Robert Bacal",
        "at": "2012-01-11 09:00",
        "tags": "customer service, site news",
        "body": """
            For years I have meant to build a place where people who work in government, and people who care how government treats the public, could compare notes on serving citizens. It kept slipping down the list. Two things finally moved it to the top: the current push in the United States to raise the standard of federal service, and my own decision to spend more of my training and consulting time on the public sector.

            So here it is. Expect commentary on policy, practical advice for front-line staff and their managers, and pointers to other groups and resources worth your time.

            The site works best as a conversation. If something here matches your experience, or flatly contradicts it, please say so in the comments.
        """,
    },
    {
        "key": "eo-part-1",
        "title": "Commentary: Executive Order 13571–Streamlining Service Delivery and "
                 "Improving Customer Service – Part 1 – Policy",
        "author": "Robert Bacal",
        "at": "2012-01-11 11:00",
        "tags": "customer service, executive order 13571",
        "series": SERIES_EO,
        "part": 1,
        "body": """
            In April 2011 the President signed Executive Order 13571, which directs federal departments and agencies to improve the service they give the public. Plenty of readers will raise an eyebrow at the words "customer service" next to "government". Even so, asking agencies to lift their game is hard to argue with, and the order will shape a good deal of work over the next few years.

            In this first part we look only at the policy section: what the order says it is for, and what it takes for granted.

            ### What the policy section promises

            The order speaks of faster, more efficient service, of borrowing good ideas from the private sector, and of using technology to reach people in the ways they already use. All of that is reasonable as far as it goes.

            ### What it leaves out

            Much of government's work is not a transaction with a willing customer. Inspectors, tax officers and benefit assessors often bring news that nobody wants to hear. A policy that treats every contact as a sale to be made smoother will miss where most of the friction, and most of the staff stress, actually sits.

            In part 2 we turn to the section on agency service plans and activities.
        """,
    },
    {
        "key": "eo-resources",
        "title": "Need To Understand Executive Order 13571 – Improving Government "
                 "Customer Service?",
        "author": "Robert Bacal",
        "at": "2012-01-11 14:00",
        "tags": "customer service, executive order 13571, resources",
        "body": """
            If you want to read the executive order itself rather than summaries of it, the customer service pages on HowTo.gov are a good place to begin. They carry the full text, along with material on planning service improvements and a few example approaches agencies can adapt.

            Bear in mind that it is an official government site, so the tone is upbeat and the hard questions are mostly left for you to ask. Read it alongside our own commentary on the order, which takes a more sceptical look.
        """,
    },
    {
        "key": "engagement-group",
        "title": "The Citizen Engagement and Customer Service Discussion Group For Government",
        "author": "Robert Bacal",
        "at": "2012-01-11 16:00",
        "tags": "customer service, discussion groups, citizen engagement",
        "body": """
            Engagement is fashionable at the moment, and governments are signing up to talk with citizens, open up their data and serve people better, at least on paper.

            One place where that conversation happens is the Citizen Engagement and Customer Service group on GovLoop, which has around three hundred members. GovLoop is a meeting place for people in and around the public sector, so you will find serving officials alongside consultants and vendors.

            The discussion is uneven, as it is in most large groups, but it is a quick way to hear what others are trying and to find people working on the same problems as you.
        """,
    },
    {
        "key": "govloop-group",
        "title": "Customer Service In Government Discussion Group",
        "author": "Robert Bacal",
        "at": "2012-01-11 18:00",
        "tags": "customer service, discussion groups",
        "body": """
            Another group worth a look is Customer Service In Government, also hosted on GovLoop and started by Wendi Pomerance Brick, who used to work in government herself.

            As with many GovLoop groups, not everyone taking part works in the public sector today. Some are there to meet potential clients and some never worked in government at all, and now and then that shows in the advice. Even so, there are thoughtful people in the group, and the questions asked there are a useful reminder of what front-line staff worry about.
        """,
    },
    {
        "key": "eo-part-2",
        "title": "Commentary: Executive Order 13571 Streamlining Service Delivery and Improving "
                 "Customer Service Part 2 – Service Plans/Activities",
        "author": "Robert Bacal",
        "at": "2012-01-23 10:00",
        "tags": "customer service, executive order 13571",
        "series": SERIES_EO,
        "part": 2,
        "body": """
            Part 1 of this series looked at the policy behind the order. This time we take section 2, on agency customer service plans and activities.

            The section gives each agency 180 days to produce a plan, developed with the Office of Management and Budget, setting out how it will improve service. The plan is to name a signature initiative that uses technology, describe how the agency will gather feedback from the people it serves, and find ways to set and measure service standards.

            ### Our take

            Deadlines and plans are a start, and asking for feedback is welcome. The weak spot is that the plans are written from the top. Nothing in the section asks agencies to hear from the employees who answer the phones and staff the counters, although they know better than anyone where the service breaks down. A signature technology project can also become a way to look busy while the difficult, face-to-face work stays as it was.

            If your agency is drafting its plan, we would like to hear how it is going.
        """,
    },
    {
        "key": "new-series",
        "title": "New Series: How Government Managers Can Contribute Help Their Employees "
                 "Deliver Customer Service Excellence",
        "author": "Robert Bacal",
        "at": "2012-01-25 10:00",
        "tags": "customer service, managers",
        "question": "How do you think managers can encourage staff to provide the best "
                    "service possible?",
        "body": """
            Managers and senior leaders in the public service obviously have a large part to play in helping their staff give good service, and in encouraging them to do it in conditions that are often far from easy. The trouble is that managers are busy, and it is easy for them to lose touch with what front-line staff deal with every day. At a time when many organisations hope that new technology will fix service for them, it matters more than ever that managers know what they can do close to home. In the end, the quality of service depends on people dealing well with people.

            ### What this series will cover

            The good news is that there are concrete steps managers can take that need little time and make a real difference. Over the coming weeks we will look at each of these:

            1. Telling employees plainly what the manager expects of them when they serve the public.
            2. Explaining the agency's service policies and turning them into guidance staff can act on.
            3. Keeping in touch with what customers experience, and with what it is like to serve them.
            4. Making sure employees are trained for the harder conversations, with angry or distressed callers.
            5. Stepping in to support staff when a situation gets out of hand, so they spend less time stuck in the toughest cases.
            6. Building a culture that values service through actions more than slogans, and tackling the organisational habits that work against it.
            7. Noticing and recognising excellent service when it happens.
            8. Securing the resources that both the public and front-line staff need, as far as tight budgets allow.
            9. Coaching front-line staff as they go, not only at review time.

            Each part will be short and practical. Follow along, and tell us in the comments which of these your own managers do well.
        """,
    },
    {
        "key": "payoff",
        "title": "The “Payoff” For Government Managers Helping Staff Provide Better Customer "
                 "Service",
        "author": "Robert Bacal",
        "at": "2012-01-26 10:00",
        "tags": "customer service, managers",
        "body": """
            Better service is good for a department's reputation and for the people it serves. There is also a plainer, more self-interested reason for managers to get involved, and it applies with particular force in government.

            ### It is about time

            Every angry caller who is not handled well at the front line tends to climb the ladder: a supervisor, then a manager, then a letter to the minister's office that someone has to answer. Each step costs hours that managers do not have. Staff who are well prepared and well supported settle more of those situations the first time.

            Serving the public well is the right thing to do, but it also pays off in a very practical way for managers who take part. So get involved early, and stay close to what is happening at the counter and on the phones. As we set out in [our new series for managers]({link:new-series}), we will come back with specific tactics for doing that in the articles to come.
        """,
    },
    {
        "key": "recoup",
        "title": "Private Companies Can Recoup Customer Service Costs, Government Cannot",
        "author": "Robert Bacal",
        "at": "2012-01-27 10:00",
        "tags": "customer service, private sector",
        "body": """
            A large difference between the private and public sectors lies in who benefits when service gets better. A company can argue, and many do, that better service brings repeat business, referrals and higher prices, so the money spent on it comes back.

            Government rarely sees that return. Nobody renews a passport twice because the first visit went well, and a better experience at the tax office does not bring in more taxpayers. The savings are real but scattered: fewer complaints, fewer repeat calls, less staff turnover. They are harder to count and rarely land in the budget of the unit that paid for the improvement.

            That is why the business case for service in government has to be argued differently, and why copying private-sector models wholesale so often disappoints.
        """,
    },
]

# Topics from content.py that the old tag archive listed under "customer service".
TAGGED_TOPICS = {
    "What's Your Opinion On Government Customer Service?": ["customer service", "polls"],
    "When/Where Does Government Get It Right With Customer Service?": ["customer service"],
}

PAGES = [
    {
        "slug": "about",
        "title": "About",
        "at": "2019-08-01 10:00",
        "body": """
            This forum is a meeting place for people who serve the public from inside government, and for those who work alongside them. Members ask questions, share what has worked in their own offices, and argue, politely, about what has not.

            It grew out of an older site about customer service in government, started in 2012 by Robert Bacal, a trainer and consultant who began his career as a public servant. The articles, series and link library from that site live on here, and staff still add new ones.

            ### Who runs it

            A small group of volunteers looks after the forum: admins keep the site running, moderators keep the discussions on track, and staff writers publish the articles. Nobody here speaks for any government or agency.

            ### Our approach

            We keep pages light and fast, avoid advertising and hype, and value a clear answer over a clever one.
        """,
    },
    {
        "slug": "privacy",
        "title": "Privacy policy",
        "at": "2019-08-01 10:05",
        "body": """
            We collect as little about you as we can, and we never sell it.

            ### What we keep

            - Your display name, email address and a scrambled form of your password, so you can log in.
            - What you post, and when, including earlier versions of posts you edit.
            - Your settings, subscriptions and notifications.

            Your email address is never shown to other members. Moderators can see the records of actions taken on the forum, such as hidden posts and suspensions.

            ### Cookies

            We use one cookie to keep you logged in and to protect forms from forgery. There are no tracking or advertising cookies.

            ### Your choices

            You can change your details at any time in your settings. To have your account closed, use the contact page; posts others have replied to may be kept, with your name removed.
        """,
    },
    {
        "slug": "contact",
        "title": "Contact",
        "at": "2019-08-01 10:10",
        "body": """
            The quickest way to reach us is to post in the Site feedback forum, where other members can help too.

            For anything private, such as a problem with your account or a request about your data, write to the admins at <a href="mailto:admin@example.org">admin@example.org</a>. We aim to reply within a week.

            To report a post that breaks the rules, use the "Report" link under it, so that a moderator sees it straight away.
        """,
    },
    {
        "slug": "related-sites",
        "title": "Related sites",
        "at": "2019-08-01 10:15",
        "body": """
            Other sites from the people behind this forum's articles:

            - **All About The Workplace**: several hundred articles on working life, for employees and managers.
            - **Improving Customer Service**: service strategy and practice for businesses.
            - **It Takes A Village To Teach A Child**: for teachers, school administrators and parents.

            We do not run or vouch for anything beyond these pages.
        """,
    },
]


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def load(users: dict[str, User]) -> None:
    """Create the demo articles (with their tags and series), tag older topics, write the
    site pages. Runs once, inside loader.load()'s unit of work."""
    paths: dict[str, str] = {}
    for spec in sorted(ARTICLES, key=lambda spec: _time(spec["at"])):
        body = re.sub(r"\{link:([a-z0-9-]+)\}", lambda m: paths[m.group(1)],
                      inspect.cleandoc(spec["body"]))
        topic = articles.create_article(users[spec["author"]], articles.ArticleData(
            title=spec["title"], body=body, tags=spec.get("tags", ""),
            series=spec.get("series", ""), series_part=spec.get("part"),
            question=spec.get("question", ""), status=articles.PUBLISH), now=_time(spec["at"]))
        paths[spec["key"]] = f"/t/{topic.id}-{topic.slug}"
    for title, names in TAGGED_TOPICS.items():
        topic = db.session.scalar(select(Topic).where(Topic.title == title))
        if topic is not None:
            board.set_tags(topic, names)
    admin = next(user for user in users.values() if user.role == Role.ADMIN)
    for spec in PAGES:
        pages.save_page(admin, spec["slug"], spec["title"], inspect.cleandoc(spec["body"]),
                        now=_time(spec["at"]))
