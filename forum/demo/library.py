"""The link library of the old site (seed 001): every entry, loaded through the library's
own services by loader.load().

Titles, source authors, view counts and the section heading are facts from the old page
(its "by na" means no author is known, so none is shown). The annotations are written fresh
here, one or two sentences each. The old page gives no addresses: each entry points to a
clearly marked placeholder under https://example.org/placeholder/, which the library flags
for staff and `flask forum check-links` skips. The categories are ours.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from ..accounts.models import User
from ..board.services import slugify
from ..extensions import db
from ..library import services as library
from ..library.models import PLACEHOLDER_PREFIX, LinkEntry

CURATOR = "Candi Harrison"
SECTION = "What's Happening With Public Sector Customer Service Initiatives"
# The first entry is the newest; each one before it was added three days earlier.
NEWEST_ADDED = datetime(2020, 1, 20, 10, 0)

# (title, source author or None, views so far, categories, annotation)
LINKS = [
    ("That's Enough About You: Customer Service", "Elise Piper", 263,
     "front line, opinion",
     "An unfiltered, sometimes sweary account of life on the receiving end of difficult "
     "government \"customers\". Worth reading for how honestly it shows the pressures on "
     "front-line staff."),
    ("How US state governments can improve customer service", "McKinsey", 192,
     "research, state government",
     "A digest of McKinsey's Putting Citizens First advice for US states. It says what to "
     "change, but not why it is worth doing or what it would cost taxpayers."),
    ("15 Government Customer Service Trends for 2015", "MARTHA DORRIS", 180,
     "trends",
     "Fifteen forecasts for government service in 2015. They are loose enough that nobody "
     "could check a year later whether they came true."),
    ("Have citizen expectations REALLY changed? Maybe", "Bobby Caudill", 220,
     "social media, expectations",
     "Asks whether social media has really changed what people want from government, or "
     "whether they still want the same things they always did. A fair look at both sides."),
    ("Are We Ready to Provide Great Customer Service in Government? | Governing People",
     "Candi Harrison", 455, "executive order, federal government",
     "Walks through the 2011 US executive order on streamlining service delivery, which "
     "asked agencies for service plans, measures and customer feedback, and sets it beside "
     "the 1993 order that came before it."),
    ("Governments Rival the Private Sector in Customer Service", "Accenture", 372,
     "research, technology",
     "Accenture's global study of governments that match the best private firms, with "
     "examples from paying for parking by phone to city information kiosks. Its theme is "
     "service as a way to rebuild trust."),
    ("Government solutions - Some Poll Results On Government Websites", None, 443,
     "websites, research",
     "A 2007 poll of government web professionals in three countries about their own "
     "sites. The Canadians' top three words were organisation-centric, confusing and too "
     "many websites."),
    ("Customer service in government: not like selling burgers -- Federal Computer Week",
     "Alice Lipowicz", 547, "federal government, executive order",
     "What agencies are learning as they try to reach the people they serve, with the "
     "April 2011 executive order as the backdrop."),
    ("Craig Newmark on better government through enlightened customer service",
     "Alex Howard", 303, "social media, trust",
     "The founder of craigslist on trust, identity and social networks in public service, "
     "from a San Francisco privacy camp. Raises more questions than it answers, which is "
     "the point."),
    ("Customer Service Government?", "Robert Cornwall", 398, "opinion, citizens",
     "Questions calling citizens \"customers\" at all: good service and openness are "
     "welcome, but treating voters as shoppers may push government towards what is "
     "expedient rather than what is right."),
    ("Obama Orders Federal Agencies To Upgrade Customer Service - Government - Policy and "
     "Regulation - Informationweek", "Candi Harrison", 370,
     "executive order, federal government",
     "A short news report on the executive order, noting the IRS's claim that going "
     "digital saved it hundreds of millions of dollars."),
    ("Improving Government Customer Service | Inc.com", "Leigh Buchanan", 382,
     "state government, private sector",
     "Profiles Michigan's service drive and how the public sector is borrowing its model "
     "of customer service from business."),
    ("Customer Service, Government Style", "Tod Newcombe", 373, "research, international",
     "A summary of Accenture's ranking of national governments by the level of service "
     "they give."),
    ("Disasters Highlight Government and NGO Need To Train Staff To Deal With Frustrated "
     "and Emotional Clientele", "Robert Bacal", 210, "front line, training",
     "Natural disasters bring more angry and distressed people to government counters; "
     "this piece argues that makes training staff to handle them more urgent than ever."),
    ("Local Governments Rated Higher than State or Federal Governments",
     "Evelina Moulder", 245, "research, local government",
     "Brief findings that people rate the service of their local government above that of "
     "state or federal government."),
    ("Why Customer Service Matters, Even For A Government Agency Or Other Sole Provider",
     "Micah Solomon", 202, "opinion",
     "Why service matters even where people have nowhere else to go. It misses some of the "
     "strongest reasons, but makes a few good ones."),
    ("Are We Ready to Provide Great Customer Service in Government? | Governing People",
     "Candi Harrison", 510, "executive order, federal government",
     "The longer version of the author's welcome for the 2011 executive order, written by "
     "a long-time advocate who is delighted by it and then asks whether it can really "
     "work."),
    ("Improving Government Customer Service", "INC", 457,
     "state government, training, private sector",
     "How Michigan asked Zingerman's, an Ann Arbor deli famous for its service, to train "
     "state employees. Our note: government needs deeper, more specialised training than "
     "a deli can offer."),
    ("Customer Service Excellence In Government (UK)", "UK Government", 441,
     "international, standards",
     "The UK's Customer Service Excellence standard, a programme built into British "
     "government to raise the service people get. Often held up as a model worth learning "
     "from."),
    ("Craig Newmark on better government through enlightened customer service - O'Reilly "
     "Radar", "Alex Howard", 625, "trust, front line",
     "Newmark's plain advice for public servants: listen first, solve what is valid, and "
     "keep helping in good faith even when someone struggles to explain the problem."),
    ("Extending a Customer Service-Oriented Government | Reach The Public", "Kelsey Lund",
     278, "technology",
     "Examples of departments that improved their service to the public with fairly "
     "basic technology."),
    ("Service Call: Government and Customer Service", "Camille Tuutti", 9, "opinion",
     "A long article challenging government to do better at service. The page is hard on "
     "the eyes, but the argument is worth the effort."),
    ("Integrating Multichannel Communication in Gov't Customer Service - GovLoop - "
     "Knowledge Network for Government", "Kim Truong", 207, "technology, guides",
     "A free guide to serving people across phone, web, mail and counter. Bear in mind the "
     "papers are sponsored by firms that sell this kind of help to government."),
    ("Re-Imagining Customer Service in Government", None, 343, "research, guides",
     "A research report on rising expectations of government service, the obstacles to "
     "meeting them, and strategies for agencies that want to improve."),
    ("Customer Service Plan Signature Initiative", None, 231,
     "executive order, federal government",
     "A collection of the service plans US agencies wrote at the President's request. "
     "Useful for seeing where organisations say they are heading, inside government or "
     "not."),
    ("SSA Advisors Coming to a Screen Near You", "Joseph Marks", 193, "technology",
     "The Social Security Administration considers letting retirees talk to an agent by "
     "video call from its website, instead of at a field office or on the phone. An "
     "interesting idea, whether or not it happens."),
    ("Is mobility the way out of customer satisfaction stagnation? -- FCW",
     "Matthew Weigelt", 210, "technology, satisfaction",
     "Agencies look to mobile services to lift satisfaction scores that have stopped "
     "improving."),
    ("Customer service in government: not like selling burgers", "Alice Lipowicz", 248,
     "federal government, private sector",
     "Agencies keep hearing that they must serve the public better, but their success is "
     "harder to measure than burgers sold. A welcome reminder that government is not the "
     "private sector."),
    ("Survey says people prefer online federal customer service", "Alice Lipowicz", 267,
     "research, technology",
     "A survey finds people would rather deal with government online. Our reading: phone "
     "service is so poor everywhere that anything new looks better."),
    ("Agencies can improve customer service by thinking like customers", "Candi Harrison",
     335, "front line",
     "A light piece with one good point: staff should look at their service from the other "
     "side of the desk."),
    ("Should Local Government Offices Develop Customer Service Plans? - GovLoop - Knowledge "
     "Network for Government", "Paul Wolf", 281, "local government, standards",
     "Many officials promise customer-friendly government, but few ask their department "
     "heads to write down and deliver a service plan. Should local departments have to?"),
    ("IRS finds customer service taxing", "Michelle Singletary", 129,
     "federal government, phone service",
     "The IRS narrows what it will answer by phone, after a year in which millions of calls "
     "went unanswered and callers waited on hold for close to 18 minutes."),
    ("Using Technology to Enhance the Customer Experience - Arlington National Cemetery - "
     "GovLoop - Knowledge Network for Government", "Bryce Bender", 123, "technology",
     "How Arlington National Cemetery turned old paper records into a mapping app that "
     "helps families and visitors find a grave and the way to it."),
    ("Online Database of Government and Non-Profit Social Media Policies",
     "Chris Boudreaux", 305, "social media, guides",
     "Real social media policies from governments, public bodies and non-profits, "
     "gathered in one place. Invaluable when writing your own."),
    ("Why build a great customer experience if you have no competition? Government",
     "Micah Solomon", 216, "opinion",
     "A short piece whose best point is that making service simpler for the public also "
     "makes the agency's own work easier."),
    ("Service Where You Serve: Connecting with Citizens Where They Connect with You",
     "Melissa Hardt", 329, "social media, opinion",
     "Another case for spending on online channels. Our note: most research says people "
     "still prefer the phone or a face to face visit, and such advice tends to come from "
     "those who sell digital services."),
    ("22 Ideas to Improve Customer Service In Government", None, 302, "guides",
     "A list of ideas for better government service. Most are small and leave the root "
     "causes of poor service untouched."),
    ("New Orleans City Hall reshapes its public face, tries to boost customer service | "
     "NOLA.com", "Richard Rainey", 294, "local government",
     "How New Orleans City Hall made real progress in the service it gives residents and "
     "visitors."),
    ("How did NJ's DMV improve its customer service, and what lessons can that teach "
     "others? | The Asbury Park Press NJ | app.com", None, 233, "state government",
     "New Jersey's motor vehicle agency used to be a joke. What it changed, and what other "
     "public bodies and businesses can learn from it."),
    ("Satisfaction with fed customer service worst ever (2015)", "Colby Hochmuth", 143,
     "research, satisfaction, federal government",
     "2015 figures put satisfaction with federal government service near the bottom of all "
     "industries measured."),
    ("15 Government Customer Service Trends for 2015", "MARTHA DORRIS", 176, "trends",
     "A second take on the same forecasts: what will be in fashion in government service "
     "in 2015 and the years after."),
    ("The Government Will See You Now - Lots of Room For Customer Service Improvement in "
     "2015", "Katherine McIntire Peters", 142, "opinion, federal government",
     "Prompted by federal awards for staff who serve people well, this opinion piece "
     "concludes that much remains to be done, with a few horror stories along the way."),
    ("Franklin Police chief looks to enhance customer service in 2014 on Franklin Home "
     "Page", None, 168, "local government",
     "A police chief pledges to raise the standard of service his force gives the public. "
     "A small, encouraging story."),
    ("Report praises Newport's social services", "South Wales Argus", 308,
     "international, local government",
     "An inspection report credits Newport's social services with better customer service, "
     "work with charities and outreach to ethnic communities to keep children safe."),
    ("Customer Experience in the Government sector: A Marathon not a Sprint", "Mei Lin Fung",
     208, "opinion",
     "Improving the customer experience in government is slow, hard work, and people who "
     "expect a sprint give up. A rallying call for those willing to keep going."),
    ("Government Is NOT The Private Sector, and It's Time We Acted Accordingly | "
     "CustomerThink", "Robert Bacal", 198, "opinion, private sector",
     "Robert Bacal argues that government should stop copying private sector service "
     "because its situation is so different."),
]


def placeholder_url(number: int, title: str) -> str:
    return f"{PLACEHOLDER_PREFIX}{number:02d}-{slugify(title, 60)}"


def load(users: dict[str, User]) -> list[LinkEntry]:
    """Add every entry of the old link library, as its curator, with its view count."""
    curator = users[CURATOR]
    links = []
    for number, (title, author, views, tags, annotation) in enumerate(LINKS, start=1):
        added = NEWEST_ADDED - timedelta(days=3 * (number - 1))
        link = library.create_link(curator, library.LinkData(
            title=title, url=placeholder_url(number, title), annotation=annotation,
            source_author=author or "", section=SECTION,
            tags=f"customer service, {tags}"), now=added)
        links.append(link)
    for link, (_, _, views, _, _) in zip(links, LINKS, strict=True):
        # "Views so far" on the old page: a fact carried over, not clicks made here.
        db.session.execute(update(LinkEntry).where(LinkEntry.id == link.id)
                           .values(click_count=views))
    return links
