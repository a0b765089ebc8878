"""Demo content for `flask forum demo`: plain data, read by loader.py.

Titles, names, dates and view counts of the bbPress topic come from the old site; every sentence
of prose here is written fresh for this forum. Posts are Markdown, and because the site keeps
single line breaks, each paragraph is written on one line. Times are naive UTC, "YYYY-MM-DD HH:MM".
Bodies are written indented inside triple quotes; the loader strips the common indentation.
"""

# --- Members ------------------------------------------------------------------------------
# role: "admin" | "staff" | "moderator" | "member". Everyone gets a random password; the
# loader writes the admin's to instance/demo_admin.txt.
USERS = [
    {
        "name": "Forum Admin",
        "email": "admin@example.org",
        "role": "admin",
        "joined": "2019-08-01 09:00",
        "bio": "Looks after accounts, forums and settings here. Problems with the site? "
               "Post in Site feedback and we will pick it up.",
    },
    {
        "name": "Priya Natarajan",
        "email": "priya.natarajan@example.gov",
        "role": "moderator",
        "joined": "2019-08-01 09:30",
        "bio": "Service designer in a provincial health agency and moderator of the "
               "Discussion forums. If a post looks wrong to you, flag it and I will have a look.",
    },
    {
        "name": "Robert Bacal",
        "email": "robert.bacal@example.org",
        "role": "staff",
        "joined": "2012-01-09 08:00",
        "bio": "Trainer, consultant and writer. Began his career inside government and has "
               "since spent decades coaching front-line public servants through difficult "
               "conversations with the people they serve.",
    },
    {
        "name": "Candi Harrison",
        "email": "candi.harrison@example.org",
        "role": "staff",
        "joined": "2019-08-12 11:20",
        "bio": "Longstanding advocate for public services that start from the public's point "
               "of view. Curates the link library and writes about what agencies can learn "
               "from their own customers.",
    },
    {
        "name": "Dana Whitfield",
        "email": "dana.whitfield@example.gov",
        "role": "member",
        "joined": "2019-09-10 14:00",
        "bio": "Team lead in a state licensing contact centre. Interested in what makes a "
               "good day for callers and for the people who answer the phones.",
    },
    {
        "name": "Tomás Ortega",
        "email": "tomas.ortega@example.gov",
        "role": "member",
        "joined": "2019-10-03 08:30",
        "bio": "Procurement officer turned product owner. Spends a lot of time translating "
               "between contract language and delivery teams.",
    },
    {
        "name": "Aisha Mensah",
        "email": "aisha.mensah@example.gov",
        "role": "member",
        "joined": "2020-01-14 11:55",
        "bio": "Complaints and feedback manager at a city council. Thinks of every complaint "
               "as free research.",
    },
    {
        "name": "Ben Okafor",
        "email": "ben.okafor@example.gov",
        "role": "member",
        "joined": "2020-03-02 10:00",
        "bio": "Performance analyst. Turns call logs, survey results and case data into "
               "charts that busy managers will actually read.",
    },
    {
        "name": "Marcus Lindqvist",
        "email": "marcus.lindqvist@example.gov",
        "role": "member",
        "joined": "2020-06-22 16:20",
        "bio": "Developer on a small digital team that replaces paper forms with online "
               "services, one at a time.",
    },
    {
        "name": "Grace O'Connell",
        "email": "grace.oconnell@example.gov",
        "role": "member",
        "joined": "2021-02-09 09:50",
        "bio": "HR business partner supporting front-line teams in a benefits agency. Happy "
               "to talk workload, wellbeing and recruitment.",
    },
    {
        "name": "Helen Park",
        "email": "helen.park@example.gov",
        "role": "member",
        "joined": "2021-09-30 13:40",
        "bio": "Plain language and accessibility lead. Keeps a running list of words our "
               "forms should never use.",
    },
    {
        "name": "Ruth Kaplan-Ellis",
        "email": "ruth.kaplan-ellis@example.gov",
        "role": "member",
        "joined": "2023-04-18 09:15",
        "bio": "Policy adviser on licensing regulations, trying to write rules that people "
               "can follow without hiring a lawyer.",
    },
    {
        "name": "Samir Haddad",
        "email": "samir.haddad@example.gov",
        "role": "member",
        "joined": "2025-02-20 17:00",
        "bio": "Service manager at a regional transport authority. Ran a walk-in service "
               "counter for six years before that, so has firm views on queues.",
    },
]

# --- Categories and forums ----------------------------------------------------------------
CATEGORIES = [
    {
        "title": "Discussion",
        "forums": [
            {"title": "Customer service", "slug": "customer-service",
             "description": "Serving the public well at the counter, on the phone and in "
                            "writing, including the hard conversations."},
            {"title": "Digital and data", "slug": "digital-and-data",
             "description": "Online services, websites, accessibility, open data and the "
                            "teams that build them."},
            {"title": "Policy and regulation", "slug": "policy-and-regulation",
             "description": "Writing rules, standards and buying policies that people can "
                            "understand and follow."},
            {"title": "Miscellaneous", "slug": "miscellaneous",
             "description": "Anything about working in government that does not fit in "
                            "another forum."},
        ],
    },
    {
        "title": "Community",
        "forums": [
            {"title": "Introductions", "slug": "introductions",
             "description": "New here? Tell us who you are and what you work on."},
            {"title": "Site feedback", "slug": "site-feedback",
             "description": "Ideas, problems and questions about this forum itself."},
        ],
    },
]

# --- Topics -------------------------------------------------------------------------------
# kind: "discussion" (default) | "question"; pinned: "forum" | "global" (optional).
# replies: (author, time, body), in time order.
# Optional extras, with replies numbered from 1 in the order listed:
#   helpful: {reply number: [members who marked it helpful]} (never the reply's own author)
#   accepted: the reply number the asker accepted as the answer (questions only)
#   poll: {"question", "options", "ballots": [(member, option label, time)]}; single choice,
#         results always visible, secret ballot, left open
TOPICS = [
    # The old site's poll, from a few days after it launched (facts from the seed, words our
    # own). Members who joined later found it still open and added their ratings.
    {
        "forum": "customer-service",
        "title": "What's Your Opinion On Government Customer Service?",
        "author": "Robert Bacal",
        "at": "2012-01-12 10:30",
        "views": 2315,
        "body": """
            The site has only been open for a few days, so a poll may be a bit ambitious with so few visitors around. Still, I would rather ask than guess.

            Think about your own dealings with government as a member of the public, whether national, regional or local: renewing a licence, calling about a benefit, visiting an office. Overall, how would you rate the service you got? Pick one point on the scale below. Everyone can see the running totals, but nobody can see how you voted.

            Once you have voted, please reply and tell us why you chose that rating. A single recent experience, good or bad, is worth more than a general impression.
        """,
        "poll": {
            "question": "What's Your Opinion On Government Customer Service?",
            "options": ["Very poor", "Poor", "Fair", "Good", "Excellent"],
            "ballots": [
                ("Priya Natarajan", "Good", "2019-08-05 13:10"),
                ("Candi Harrison", "Fair", "2019-08-13 09:25"),
                ("Dana Whitfield", "Fair", "2019-09-12 19:40"),
                ("Tomás Ortega", "Fair", "2019-10-07 12:15"),
                ("Aisha Mensah", "Good", "2020-01-20 08:55"),
                ("Ben Okafor", "Good", "2020-03-09 17:30"),
                ("Marcus Lindqvist", "Fair", "2020-07-01 21:05"),
                ("Grace O'Connell", "Poor", "2021-02-15 12:40"),
                ("Helen Park", "Good", "2021-10-04 10:20"),
                ("Ruth Kaplan-Ellis", "Excellent", "2023-05-02 15:45"),
                ("Samir Haddad", "Poor", "2025-03-03 18:50"),
            ],
        },
        "replies": [
            ("Dana Whitfield", "2019-09-12 19:55", """
                I went for Fair. I have been on both ends of the phone, and the people I speak to are nearly always courteous and keen to help. What lets them down is everything around them: long hold times, systems that cannot talk to each other, and letters that raise more questions than they answer.
            """),
            ("Aisha Mensah", "2020-01-20 09:10", """
                Good, from me, which may surprise people given that I read complaints all day. Most dealings with a council go smoothly and nobody thinks about them again. The few that go badly are the ones everyone remembers and retells, so the overall picture ends up looking worse than the day-to-day reality.
            """),
            ("Samir Haddad", "2025-03-03 19:05", """
                I chose Poor, and it is about one experience. Transferring a vehicle registration after a family bereavement took three visits and two phone calls, because each office needed a document that nobody had mentioned the time before. Every person I met was kind. The process simply was not designed around someone in my situation.
            """),
            ("Robert Bacal", "2025-03-06 11:20", """
                Thank you for taking the time to explain your ratings. One pattern runs through the replies here: people rate the individuals they dealt with well above the process they had to go through. That is worth remembering whenever "customer service" is treated purely as a matter of training front-line staff.
            """),
        ],
        "helpful": {
            1: ["Candi Harrison", "Ben Okafor"],
            2: ["Priya Natarajan", "Dana Whitfield"],
            3: ["Robert Bacal", "Ruth Kaplan-Ellis", "Helen Park"],
            4: ["Samir Haddad", "Dana Whitfield", "Aisha Mensah"],
        },
    },

    # The topic carried over from the old site (facts from the seed, words our own).
    {
        "forum": "miscellaneous",
        "title": "When/Where Does Government Get It Right With Customer Service?",
        "author": "Dana Whitfield",
        "at": "2019-09-20 10:15",
        "views": 1240,
        "body": """
            I have been reading a post on Candi Harrison's blog that sets two recent news stories side by side: a survey in which people say they are unhappy with the public services they receive, and a piece arguing that service quality matters more than ever.

            Most of what we hear is about failure, so let's turn it around for once. Can you name an office, a team or a single service that treats people well? Maybe your own team has turned something round.

            - What changed, and who made it happen?
            - What did it take: people, process, tools, money?
            - Could the rest of us borrow it, and what would get in the way?
        """,
        "replies": [
            ("Robert Bacal", "2019-09-21 16:40", """
                It has gone rather quiet in here, so I will get things started.

                I have run workshops with a great many public servants over the years, and my honest answer is that excellent service does exist in government, but it comes in patches: a strong team in one building, a standout officer in another. If we are being fair, businesses look much the same once you get past their advertising.

                Here is one story that has stayed with me. A woman working in an HR office picked up a call that had been put through to her by mistake. The caller was a farmer who needed the agriculture department's specialists on raising pigs. Rather than read out a switchboard number and move on, she took his details and spent the best part of thirty minutes finding the right branch and the right person there. She briefed that person, rang the farmer back, and kept the call open until the two of them were talking.

                Nobody had written that into her job description. Years later she was running the branch as its director, which I do not think was a coincidence.
            """),
        ],
        "helpful": {1: ["Dana Whitfield", "Candi Harrison", "Aisha Mensah"]},
    },

    # Customer service
    {
        "forum": "customer-service",
        "title": "Phone scripts: a help or a hindrance?",
        "author": "Dana Whitfield",
        "at": "2020-02-17 11:30",
        "views": 864,
        "body": """
            We are reviewing the scripts our call handlers use. New starters like having them, but callers can tell when someone is reading aloud, and our experienced staff mostly ignore them anyway.

            Has anyone moved from full scripts to something lighter, such as a checklist of things every call must cover? How did you keep quality consistent while letting people sound like themselves?
        """,
        "replies": [
            ("Robert Bacal", "2020-02-17 15:05", """
                In my experience a checklist is the better tool. Scripts are good at making sure the legally required words get said, and poor at everything else, because real callers wander off the page within the first minute.

                What I suggest to teams is a split. Keep exact wording only where a law or policy demands it (privacy notices, warnings, consent), and turn everything else into prompts. Then coach people on the prompts using recorded calls, rather than marking them down for leaving the script.
            """),
            ("Aisha Mensah", "2020-02-18 09:40", """
                A view from the complaints side: a surprising number of the complaints we receive quote a stock phrase back at us, most often "I understand your frustration". People hear it as a formula. Plain, specific sentences land much better.
            """),
            ("Dana Whitfield", "2020-02-18 12:15", """
                Both really helpful, thank you. We will keep the mandatory wording and try prompts for everything else with one team first.
            """),
            ("Ben Okafor", "2020-03-04 10:20", """
                If you pilot it, measure a few things before you start: average call length, repeat calls within seven days, and a one-question survey after the call. Otherwise the debate afterwards will be opinion against opinion. I am happy to share the simple dashboard we used.
            """),
            ("Dana Whitfield", "2020-05-26 16:45", """
                Update, three months in: calls take about twenty seconds longer on average, repeat calls have dropped noticeably, and staff are much happier. We are rolling it out to the other two teams next month.
            """),
        ],
        "helpful": {1: ["Dana Whitfield", "Aisha Mensah", "Ben Okafor"], 2: ["Dana Whitfield"],
                    4: ["Dana Whitfield", "Robert Bacal"], 5: ["Ben Okafor", "Grace O'Connell"]},
    },
    {
        "forum": "customer-service",
        "title": "When the caller is angry before you have said hello",
        "author": "Grace O'Connell",
        "at": "2024-05-14 10:00",
        "views": 642,
        "body": """
            Some of our staff take calls from people whose payments have just been stopped, and many callers are furious from the first second. Our de-escalation training is a one-hour video recorded years ago.

            What has actually helped your teams? I am interested both in what to say on the call and in what support staff get afterwards.
        """,
        "replies": [
            ("Robert Bacal", "2024-05-14 13:30", """
                The first minute matters most. Let the person finish, even if that takes a while, then sum up what you heard in a sentence or two before you say anything about rules. People settle faster once they are sure they have been understood.

                Two more things help. Tell the caller what you *can* do before what you cannot. And give staff explicit permission to end a call that turns abusive, with an agreed form of words. Knowing there is a floor makes people braver on the hard calls.
            """),
            ("Dana Whitfield", "2024-05-15 09:10", """
                On the support side, we added a five-minute pause after any call the handler marks as distressing, no questions asked. It is used far less than managers feared, and staff say that just knowing it is there helps.
            """),
            ("Grace O'Connell", "2024-05-16 14:25", """
                Thank you both. The five-minute pause is going straight into the proposal I am writing.
            """),
        ],
        "helpful": {1: ["Grace O'Connell", "Dana Whitfield", "Samir Haddad"],
                    2: ["Grace O'Connell", "Robert Bacal"]},
    },
    {
        "forum": "customer-service",
        "title": "Measuring satisfaction without survey fatigue",
        "author": "Ben Okafor",
        "at": "2025-09-03 09:45",
        "kind": "question",
        "views": 311,
        "body": """
            We send a survey after every completed case, and the response rate has fallen below 4%. The people who do answer are mostly either delighted or livid.

            What are other teams doing instead? I am thinking about sampling, one-question surveys, or leaning more on operational data such as repeat contact.
        """,
        "replies": [
            ("Priya Natarajan", "2025-09-03 16:20", """
                We moved to a single question with an optional comment box, sent to a random tenth of cases. The response rate went up, and the comments turned out to be the most useful part. We pair it with repeat contact rates, which do not depend on anyone choosing to answer.
            """),
            ("Samir Haddad", "2025-09-08 11:05", """
                Add a handful of short interviews each quarter as well. Twenty minutes on the phone with five people who used the service taught us more than a year of scores did.
            """),
        ],
        # Still open: Ben has not said which suggestion worked, so no answer is accepted.
        "helpful": {1: ["Aisha Mensah"], 2: ["Priya Natarajan"]},
    },

    {
        "forum": "customer-service",
        "title": "Offering interpreters on phone calls: how do you arrange it?",
        "author": "Samir Haddad",
        "at": "2025-11-04 10:05",
        "kind": "question",
        "views": 268,
        "body": """
            More and more of our callers are more comfortable in a language other than English, and at the moment our staff simply do their best or ask the caller to ring back with a relative. That is not good enough, especially when fares or penalties are being discussed.

            If your team offers interpreters on the phone, how do you set it up? I would like to know about the practical side: which calls get one, how staff bring the interpreter in, and what it costs.
        """,
        "replies": [
            ("Dana Whitfield", "2025-11-04 14:30", """
                We use a telephone interpreting contract that lets the handler add an interpreter to the live call, usually within a minute. Staff dial a short code, say the language, and the interpreter joins as a third party. Every caller who asks gets one; we do not ration by call type.

                Two things made it work. First, a short training session on speaking to the caller, not the interpreter, and pausing after each couple of sentences. Second, we record the language on the customer's file, so next time the interpreter is lined up before anyone has to ask.
            """),
            ("Aisha Mensah", "2025-11-05 09:15", """
                Please avoid relying on relatives, and children in particular. We had a case where a teenager was interpreting a debt conversation for his mother, and neither of them should have been put in that position. Our policy now says family members can help only if the caller insists after being offered a professional.
            """),
            ("Helen Park", "2025-11-06 16:40", """
                Look at your written material at the same time. If the follow-up letter arrives only in English, the good work on the phone is undone. We translate our five most common letters and offer the rest on request, and we check that the English versions are plain enough to translate well in the first place.
            """),
            ("Samir Haddad", "2025-11-10 11:50", """
                This is exactly what I needed. Dana's set-up is very close to what I will propose, and Aisha's point about relatives is going into the policy word for word. Thank you all.
            """),
        ],
        "helpful": {1: ["Samir Haddad", "Aisha Mensah", "Grace O'Connell", "Priya Natarajan"],
                    2: ["Samir Haddad", "Dana Whitfield", "Ruth Kaplan-Ellis"],
                    3: ["Samir Haddad", "Dana Whitfield"]},
        "accepted": 1,
    },

    # Digital and data
    {
        "forum": "digital-and-data",
        "title": "Lessons from replacing a paper form with an online service",
        "author": "Marcus Lindqvist",
        "at": "2022-04-11 13:00",
        "views": 1034,
        "body": """
            We have just switched off the paper version of our permit application after eighteen months of running both. A few lessons, in case they save someone time:

            1. **Start with the questions, not the form.** We dropped eleven questions that nobody could give a reason for.
            2. **Design for someone filling it in on a phone.** Over 70% of our applicants do.
            3. **Keep a way to apply with help.** Library staff and our contact centre can complete it on someone's behalf.
            4. **Measure completions, not visits.** Our first version had plenty of traffic and a dismal finish rate.

            Happy to answer questions. There is a longer write-up at https://www.example.org/blog/permit-form-lessons
        """,
        "replies": [
            ("Helen Park", "2022-04-12 10:10", """
                Number 1 deserves a poster. How did you get agreement to drop questions? Where I work, every field has an owner somewhere who insists it is essential.
            """),
            ("Marcus Lindqvist", "2022-04-12 15:40", """
                We asked each owner which decision the answer fed into. If nobody could name one within a month, the question went. A few came back later with a real reason, which was fine.
            """),
            ("Tomás Ortega", "2022-04-20 09:25", """
                Did you build it yourselves or buy a forms product? We are weighing that choice now, and every vendor promises everything.
            """),
            ("Marcus Lindqvist", "2022-04-20 17:55", """
                We built it on a shared forms platform that our central digital team runs, so hosting and accessibility testing came with it. I would only buy if nothing shared like that is open to you.
            """),
        ],
    },
    {
        "forum": "digital-and-data",
        "title": "Accessibility testing on a small budget",
        "author": "Helen Park",
        "at": "2023-02-06 10:30",
        "kind": "question",
        "views": 977,
        "body": """
            We have no budget for an external audit this year, but we are launching two new online services. What can a small team do in-house that catches most of the serious problems?
        """,
        "replies": [
            ("Marcus Lindqvist", "2023-02-06 14:15", """
                Our routine costs nothing but time:

                - run an automated checker on every page (it finds perhaps a third of the issues, but the easy third)
                - go through the whole journey using only a keyboard
                - zoom the browser to 400% and see what breaks
                - try it with a screen reader, even if you are slow at first

                The keyboard test alone found our worst bug: a date picker you could open but never leave.
            """),
            ("Priya Natarajan", "2023-02-07 09:05", """
                Ask your own colleagues too. Many organisations have disabled staff, including screen reader users, who are glad to help test when they are asked respectfully and their time is recognised. Make it part of their job, not a favour.
            """),
            ("Helen Park", "2023-02-07 11:40", """
                Great tips. Priya, did you pay colleagues from other teams for their time, or arrange it with their managers?
            """),
            ("Priya Natarajan", "2023-02-08 08:50", """
                We arranged it with their managers and counted it as work time, with a thank-you note that went on their file. Several have since joined our regular testing group.
            """),
            ("Ben Okafor", "2023-03-01 15:30", """
                Do not forget documents. Our forms were fine, but the PDF guidance linked from them was a pile of untagged scans. We now publish guidance as web pages first.
            """),
            ("Helen Park", "2023-06-19 12:00", """
                Update: both services are live. Keyboard testing caught four problems and the screen reader sessions caught six more. Nothing serious has been reported since launch. Thank you, everyone.
            """),
        ],
        "helpful": {1: ["Helen Park", "Priya Natarajan", "Ben Okafor", "Grace O'Connell"],
                    2: ["Helen Park", "Marcus Lindqvist"], 4: ["Helen Park"],
                    5: ["Helen Park", "Marcus Lindqvist"]},
        "accepted": 1,
    },
    {
        "forum": "digital-and-data",
        "title": "Publishing open data that people actually use",
        "author": "Ben Okafor",
        "at": "2020-08-25 14:00",
        "views": 402,
        "body": """
            We publish about forty datasets, and the download figures suggest almost nobody uses most of them. I am starting to suspect we publish whatever is easy to export rather than what people need.

            Has anyone asked their users which data they want, and changed what they publish as a result? I would be glad to hear what worked.
        """,
        "replies": [],
    },
    {
        "forum": "digital-and-data",
        "title": "Should every online service keep an offline route?",
        "author": "Samir Haddad",
        "at": "2026-10-12 09:15",
        "views": 288,
        "body": """
            Our board is asking whether we can close the counter for concession travel passes, now that 80% of applications arrive online. My instinct says not yet, but I need a better argument than instinct.

            How have others decided when an offline route is still needed, and what did it cost to keep one?
        """,
        "replies": [
            ("Marcus Lindqvist", "2026-10-12 13:40", """
                Look closely at who makes up the other 20%. For us it was disproportionately older people and people without a fixed address, who are exactly the groups the service exists for. That settled it.
            """),
            ("Candi Harrison", "2026-10-13 10:25", """
                With boards, the framing helps: the offline route is part of the service, not a fallback. If you cost it per application against the online route, include what happens to people who drop out when there is no alternative and turn up somewhere more expensive later.
            """),
            ("Samir Haddad", "2026-10-14 16:00", """
                Both points are going into the paper, thank you. I will report back on what the board decides.
            """),
        ],
    },

    # Policy and regulation
    {
        "forum": "policy-and-regulation",
        "title": "Writing regulations in plain language: where do you start?",
        "author": "Candi Harrison",
        "at": "2021-10-12 10:00",
        "views": 1520,
        "body": """
            Plain language gets plenty of attention on websites and in letters, and much less in the rules themselves. Yet the rule is the thing front-line staff must explain, again and again, to people who cannot follow it.

            If you have drafted or revised regulations, what helped? Guidance, training, testing drafts with the public, working side by side with legal drafters? I am collecting examples for a short guide.
        """,
        "replies": [
            ("Helen Park", "2021-10-12 14:30", """
                Testing a draft with the people it affects is the most useful step I have seen. We asked ten small business owners to explain a draft rule back to us in their own words. Seven of them got a key obligation wrong, and the fix was two sentences.
            """),
            ("Priya Natarajan", "2021-10-13 09:15", """
                Sit down with the legal drafters early rather than handing them a finished policy. Once they understand the intent, they often find a plainer way to say it themselves. Most of them enjoy writing "notwithstanding" no more than we enjoy reading it.
            """),
            ("Tomás Ortega", "2021-10-20 11:50", """
                Structure matters as much as wording. Put the obligations first and the definitions at the end, and use headings that are questions people actually ask, such as "Who needs a licence?"
            """),
            ("Ruth Kaplan-Ellis", "2023-05-02 10:40", """
                Arriving late, but I have used this thread in two workshops now. One more tip: keep a public list of the terms you define, and use them the same way across related rules. Inconsistency between regulations causes more confusion than any single long sentence.
            """),
        ],
    },
    {
        "forum": "policy-and-regulation",
        "title": "Buying in smaller pieces: modular contracts for digital work",
        "author": "Tomás Ortega",
        "at": "2023-08-21 09:00",
        "views": 733,
        "body": """
            We are about to replace a case management system. The old way would be one large contract for everything, signed after a year of writing specifications. I would like to try a series of smaller contracts instead: a discovery phase, then a working prototype, then delivery in stages, with a decision point after each.

            Has anyone done this in a public body? I am especially interested in how you handled the rules on dividing contracts, and how you kept suppliers interested in a small first stage.
        """,
        "replies": [
            ("Candi Harrison", "2023-08-21 15:10", """
                Dividing the work is not the problem; dividing it to slip under a threshold is. If each stage has its own purpose and you write down why, most procurement rules are comfortable with it. Talk to your procurement lawyers early and invite them to the show-and-tells.
            """),
            ("Marcus Lindqvist", "2023-08-22 10:30", """
                From the delivery side: a short discovery contract attracted smaller, specialist suppliers who would never have bid for the whole system. Two of our best partners came in that way.
            """),
            ("Priya Natarajan", "2023-08-24 13:05", """
                Watch the handover between stages. Require each supplier to leave the code, research and documentation somewhere you own, in formats anyone can open. Otherwise every stage starts from scratch.
            """),
            ("Tomás Ortega", "2023-09-05 16:20", """
                Very helpful. We have approval for a twelve-week discovery contract, with an option to extend into an alpha. Fingers crossed.
            """),
            ("Tomás Ortega", "2024-03-11 11:45", """
                Follow-up for anyone who finds this later: the alpha went well enough that we are now in the second delivery stage. The biggest surprise was how much time the contract paperwork took at each decision point, so plan for it.
            """),
        ],
    },
    {
        "forum": "policy-and-regulation",
        "title": "Publishing service standards when you might miss them",
        "author": "Priya Natarajan",
        "at": "2021-06-07 14:20",
        "views": 519,
        "body": """
            Our leadership is nervous about publishing service standards, such as how fast we answer calls or process applications, because we do not always meet them. The worry is that we would be handing people a stick to beat us with.

            My view is that people cope better with a known wait than an unknown one, and that reporting performance honestly builds trust. Has anyone made this case successfully?
        """,
        "replies": [
            ("Robert Bacal", "2021-06-07 17:45", """
                I have seen it go both ways. Standards work when they are realistic, revised when circumstances change, and reported with an explanation when they are missed. They backfire when someone far from the front line sets them as aspirations. So argue for standards you can meet most of the time, reviewed every year.
            """),
            ("Ben Okafor", "2021-06-09 10:00", """
                Showing today's position next to the standard helps a lot, for example "we aim to decide within 10 days; at the moment it is taking 14". People plan around it and stop phoning to ask.
            """),
        ],
    },
    {
        "forum": "policy-and-regulation",
        "title": "Impact assessments that nobody reads",
        "author": "Samir Haddad",
        "at": "2025-06-16 10:10",
        "views": 204,
        "body": """
            Every policy change here needs an equality impact assessment, and in practice they are written after the decision and filed away. I think they could be genuinely useful if they came earlier and were shorter. Has anyone redesigned theirs into a real planning tool?
        """,
        "replies": [
            ("Ruth Kaplan-Ellis", "2025-06-18 15:35", """
                We cut ours from twelve pages to a two-page template with a handful of prompts, and made it a required attachment to the first options paper rather than the final one. It is not perfect, but options are now being changed because of what it shows.
            """),
        ],
    },

    {
        "forum": "policy-and-regulation",
        "title": "How long should a public consultation stay open?",
        "author": "Ruth Kaplan-Ellis",
        "at": "2024-02-12 09:40",
        "kind": "question",
        "views": 403,
        "body": """
            We are about to consult on changes to our licensing rules. The minimum we are allowed is four weeks, and some colleagues want to stick to exactly that so the new rules can take effect before the summer.

            How do others decide on the length? Is there a point after which extra weeks stop bringing in more responses?
        """,
        "replies": [
            ("Tomás Ortega", "2024-02-12 13:20", """
                The legal minimum is a floor, not a target. For anything that changes what businesses must do, we plan for eight to twelve weeks, because trade associations need time to ask their own members before they can reply on their behalf.
            """),
            ("Priya Natarajan", "2024-02-13 10:05", """
                Check the calendar as well as the length. A four-week window that includes a public holiday, or the end of the tax year for small firms, is really a three-week window. We add a week for each one.
            """),
            ("Candi Harrison", "2024-02-14 15:45", """
                In my experience the length matters less than whether the right people hear about it at all. A six-week consultation that you actively take to people will beat a twelve-week one that sits quietly on a website.

                What has worked for us: a one-page summary in plain language, a couple of short online sessions where people can ask questions, and writing directly to the groups most affected in the first week rather than the last. Track responses week by week; if a group you expected is silent by the halfway point, go and find them. Most responses arrive in the first and final weeks, so extra length mostly helps the organisations that have to coordinate a reply.
            """),
            ("Ruth Kaplan-Ellis", "2024-02-19 09:30", """
                Thank you. We have settled on eight weeks with an outreach plan along the lines Candi describes, and the summer start date has moved to the autumn. Nobody argued once the plan was written down.
            """),
        ],
        "helpful": {1: ["Ruth Kaplan-Ellis", "Candi Harrison"], 2: ["Ruth Kaplan-Ellis"],
                    3: ["Ruth Kaplan-Ellis", "Tomás Ortega", "Priya Natarajan", "Helen Park"]},
        "accepted": 3,
    },

    # Miscellaneous
    {
        "forum": "miscellaneous",
        "title": "Books and podcasts for new public sector managers",
        "author": "Aisha Mensah",
        "at": "2022-01-10 12:00",
        "views": 1188,
        "body": """
            I have been promoted to manage the team I used to work in, and I would like to read around the job a little. What books, podcasts or courses helped you when you first managed people in government? Extra credit for anything that is not about private companies.
        """,
        "replies": [
            ("Grace O'Connell", "2022-01-10 15:20", """
                Congratulations! Before any books, ask your HR team whether there is a programme for new managers. Ours covers the internal processes (absence, performance, recruitment) that no book will teach you, and those are what new managers most often get wrong.
            """),
            ("Robert Bacal", "2022-01-11 09:30", """
                Congratulations. Look for material that treats performance management as an ongoing conversation rather than a yearly form; it is the part of the job that makes the most difference to front-line service. I would also find a peer mentor in another department, someone you can ask the questions you would rather not ask your own director.
            """),
            ("Dana Whitfield", "2022-01-11 12:45", """
                Managing former peers is a skill of its own. It helped me to say openly at my first team meeting that our working relationship was changing, and to ask what people wanted to keep the same.
            """),
            ("Marcus Lindqvist", "2022-01-12 08:55", """
                Not a book, but: block out time every week for nothing except one-to-one conversations with your team. Everything else will try to eat that time.
            """),
            ("Candi Harrison", "2022-01-13 14:10", """
                There is a short management reading list in the link library, with a note on each item. I will add a few newer ones this week.
            """),
            ("Aisha Mensah", "2022-01-14 10:05", """
                Thank you all, this is more useful than the reading list I was given. One-to-ones start next week.
            """),
            ("Helen Park", "2022-02-02 16:30", """
                One more: learn the budget cycle early. Half of my frustrations as a new manager came from not knowing when decisions were really made.
            """),
        ],
    },
    {
        "forum": "miscellaneous",
        "title": "Has anyone trialled a compressed working week?",
        "author": "Grace O'Connell",
        "at": "2024-10-01 09:20",
        "views": 865,
        "body": """
            Our agency is considering a pilot in which staff work their full hours over four days instead of five. Recruitment is hard, and flexible hours keep coming up in exit interviews.

            If your organisation has tried something similar, how did you keep services open five days a week, and what happened to sick leave and staff turnover?
        """,
        "replies": [
            ("Dana Whitfield", "2024-10-01 14:40", """
                We ran one in our contact centre. Cover was the hard part: we split the team into two groups with different days off, which meant every manager had to get much better at rostering. Sick leave fell, and nobody wanted to go back.
            """),
            ("Ben Okafor", "2024-10-02 10:15", """
                Agreed on cover. Decide before you start what you will measure (waiting times, backlogs, sickness, turnover, a staff survey) and share it with staff. That stops the pilot being judged on anecdotes.
            """),
            ("Grace O'Connell", "2024-10-03 11:30", """
                Really useful. We will start with two volunteer teams and a review after six months.
            """),
        ],
    },
    {
        "forum": "miscellaneous",
        "title": "Is a team handbook worth the effort?",
        "author": "Helen Park",
        "at": "2026-11-16 08:50",
        "views": 41,
        "body": """
            I am thinking of writing a handbook for my team: how we work, who decides what, where things live and how to get help. Before I sink my evenings into it, has anyone done this? Did people read it, and how did you keep it up to date?
        """,
        "replies": [],
    },

    # Introductions
    {
        "forum": "introductions",
        "title": "Introduce yourself here",
        "author": "Priya Natarajan",
        "at": "2019-09-02 09:00",
        "pinned": "forum",
        "views": 2210,
        "body": """
            Welcome! This forum is for anyone who works in or with government and cares about how public services treat people.

            Tell us a little about yourself: what you work on, where (as much or as little as you like), and one thing you would like to learn from others here. Please share nothing you would not say in a staff meeting, because this is a public site.
        """,
        "replies": [
            ("Dana Whitfield", "2019-09-10 14:22", """
                Hi all. I lead a team of twelve in the contact centre of a state licensing office: renewals, changes of address, and a great many calls about cards that never arrived. I am hoping to pick up ideas for getting new starters up to speed faster.
            """),
            ("Tomás Ortega", "2019-10-03 08:45", """
                Hola. Procurement by background and a product owner since last year, which has been quite an education. Happy to help anyone trying to buy software or services without a two-hundred-page specification.
            """),
            ("Aisha Mensah", "2020-01-14 12:10", """
                Hello from a city council complaints team. I read a lot of unhappy letters for a living, and I am here to learn how other organisations turn them into improvements.
            """),
            ("Marcus Lindqvist", "2020-06-22 16:35", """
                Developer on a four-person digital team. So far we have moved nine paper forms online and retired one fax machine, which got a round of applause. Interested in accessibility, and in measuring whether the new versions are actually better.
            """),
            ("Grace O'Connell", "2021-02-09 10:05", """
                HR business partner here, working mostly with front-line benefits staff. I would like to compare notes on workload, recognition and keeping good people.
            """),
            ("Helen Park", "2021-09-30 13:50", """
                Hi everyone. I am the plain language and accessibility lead for a mid-sized agency, which mostly means persuading people that "utilise" is not an improvement on "use". Glad to look over anyone's letter templates if a second pair of eyes would help.
            """),
            ("Ruth Kaplan-Ellis", "2023-04-18 09:30", """
                Policy adviser on licensing regulations. A colleague sent me the plain language thread and I signed up the same day. Looking forward to learning from people closer to the front line than I am.
            """),
            ("Samir Haddad", "2025-02-20 17:15", """
                New here. I manage a regional transport service, and before that I spent six years running a walk-in counter, so I have opinions about queues. Nice to meet you all.
            """),
        ],
    },

    # Site feedback
    {
        "forum": "site-feedback",
        "title": "Welcome to the new forum: tell us what works and what does not",
        "author": "Forum Admin",
        "at": "2026-11-02 09:00",
        "pinned": "forum",
        "views": 433,
        "body": """
            We have moved the community to new software. Members, topics and replies have come across, and the articles and link library will follow shortly.

            Please use this topic to tell us what is broken, what is confusing and what you miss from the old site. Screenshots help, but please leave out personal information.
        """,
        "replies": [
            ("Dana Whitfield", "2026-11-02 11:25", """
                Looks clean and loads quickly on my phone. One small request: I would like the topic list to show who replied last, not just when.
            """),
            ("Helen Park", "2026-11-03 09:40", """
                Good to see a skip link and clear focus styles. I tried a few pages with a screen reader and the headings come in a sensible order. Thank you for getting that right from the start.
            """),
            ("Forum Admin", "2026-11-03 15:10", """
                Thanks, both. Dana, topic lists now show the last poster's name. Helen, glad it works for you, and please keep telling us when it does not.
            """),
            ("Tomás Ortega", "2026-11-19 10:05", """
                Search works well. Is there a way to follow a topic and get an email when someone replies?
            """),
        ],
    },
    {
        "forum": "site-feedback",
        "title": "Request: a weekly email digest",
        "author": "Ruth Kaplan-Ellis",
        "at": "2026-11-10 13:30",
        "views": 97,
        "body": """
            I do not visit every day, and I miss good threads as a result. Could we have an optional weekly email listing new topics in the forums I choose?
        """,
        "replies": [
            ("Priya Natarajan", "2026-11-11 09:05", """
                Seconded, as long as it is opt-in and easy to switch off.
            """),
            ("Forum Admin", "2026-11-20 14:05", """
                Thanks, Ruth and Priya. Notifications and subscriptions are on our list for the coming weeks, and an opt-in digest fits naturally into that work. We will post here when it is ready to try.
            """),
        ],
    },
]

# --- The long thread ----------------------------------------------------------------------
# 65 replies put together by the loader: two substantive points ("points", never by the
# opener) then a short reaction to the previous poster ("reactions"; {prev} is their first
# name), and so on; once every point has been made, later replies quote an earlier point
# (quote_template) and add a remark.
# Authors are drawn, with a fixed seed, from "authors" among those who had joined by then.
LONG_THREAD = {
    "forum": "customer-service",
    "title": "What does a good complaints process look like?",
    "author": "Aisha Mensah",
    "at": "2021-03-08 09:20",
    "views": 5812,
    "body": """
        Our council is rewriting its complaints policy this year and I have been asked to lead the work. Before we start drafting, I would love to hear from people who have seen a complaints process work well, from either side of the counter.

        A few questions to start us off:

        - How many stages do you have, and who decides at each one?
        - What do you promise on timing, and do you keep to it?
        - How do you make sure a complaint changes something, rather than just being closed?

        Links to published policies you admire are welcome too.
    """,
    "reply_count": 65,
    # (first reply, last reply, how many): replies are spread evenly between the two times.
    "schedule": [
        ("2021-03-08 11:05", "2021-03-26 17:30", 30),
        ("2021-05-10 08:40", "2026-11-18 15:10", 35),
    ],
    "seed": 2021,
    # Helpful marks by reply number. Who wrote each reply follows from the seed, so changing
    # the seed, schedule or authors means checking these again (the loader refuses self-votes).
    "helpful": {
        1: ["Aisha Mensah", "Tomás Ortega", "Dana Whitfield", "Robert Bacal", "Ben Okafor"],
        2: ["Aisha Mensah", "Dana Whitfield", "Grace O'Connell"],
        4: ["Aisha Mensah", "Priya Natarajan"],
        7: ["Aisha Mensah", "Ruth Kaplan-Ellis"],
        11: ["Robert Bacal", "Aisha Mensah", "Helen Park"],
        17: ["Ben Okafor", "Grace O'Connell"],
        29: ["Aisha Mensah"],
    },
    "authors": [
        "Ben Okafor", "Dana Whitfield", "Grace O'Connell", "Tomás Ortega", "Aisha Mensah",
        "Samir Haddad", "Helen Park", "Robert Bacal", "Marcus Lindqvist", "Ruth Kaplan-Ellis",
        "Priya Natarajan", "Candi Harrison",
    ],
    "points": [
        "Keep the number of stages small. We went from four stages to two: a review by the front-line team within ten working days, then an independent review by people who had no part in the original decision. Anything beyond that goes to the ombudsman. Fewer stages meant fewer people giving up halfway, and fewer letters that simply repeated the previous one.",
        "The biggest change for us was letting front-line staff fix things on the spot. If a refund, a new appointment or an apology settles it, they can do it without a form and log it afterwards in two minutes. About 60% of what used to become a formal complaint now ends with the first conversation.",
        "Whatever you promise on timing, promise an acknowledgement first. A short note within two working days saying who has the complaint, what happens next and when they will hear from us did more for our satisfaction scores than any change to the final deadline.",
        "Please make it possible to complain in more than one way. Online forms suit many people, but keep a phone number, a postal address and a way to do it in person with help. The people with the most serious problems are often the least able to fill in a web form late at night.",
        "Separate complaints from appeals early. If someone disagrees with a decision that has its own formal review route, tell them about that route plainly, with the deadline, instead of running them through the complaints process first and costing them weeks.",
        "Record a cause for every complaint, not just a category. \"Delay\" tells you very little; \"delay waiting for a document from another agency\" tells you who to call. We go through the five most common causes every quarter with the managers who own them.",
        "On letters: write the final response as if the person will read it aloud to a friend. Say what happened, what we found, whether we got it wrong, and what we are doing about it. No paragraphs of quoted policy. We run drafts through a readability checker, but mostly we just read them aloud.",
        "In many places an apology is not an admission of legal liability, and your lawyers can confirm where you stand. Once our staff understood that, the tone of our responses changed almost overnight. Most people mainly want to hear that someone noticed.",
        "Give each complaint one named owner who stays with it from start to finish, even when other teams have to contribute. Being passed from desk to desk is one of the commonest reasons people complain a second time.",
        "Publish a short \"you told us, we changed\" page every quarter. Ours lists three or four real changes that came out of complaints, a sentence each. Staff like it as much as the public do, because it shows the work leads somewhere.",
        "Have a fair policy on unreasonable behaviour, but keep it narrow and review every use of it. It should limit how someone contacts you, for example through one named officer and in writing only, never whether their complaint is looked at. Someone senior should sign off each case.",
        "Think about the people who handle complaints, too. Reading angry messages all day wears anyone down. We rotate staff between complaints and other casework, and team leaders hold a short debrief after the hardest cases.",
        "If any part of your service is delivered by a contractor, write the complaints requirements into the contract: response times, the data you will receive, and your right to see case files. We learned the hard way that our provider's process was invisible to us.",
        "Count compliments too, and route them the same way. It sounds soft, but knowing what works is as useful as knowing what does not, and passing a compliment on to a named officer costs nothing.",
        "Ask the person at the start what outcome they are hoping for. It is a simple question, and a surprising number of people want something small and specific, such as a corrected record or an explanation, that is easy to give once you know.",
        "Report complaint data to your leadership team as trends, not totals. A rising number can be good news if you have made complaining easier. What matters is whether the same causes keep coming back.",
        "Keep your internal deadline shorter than the published one. If we promise twenty working days, the team aims for fifteen, so that one sick day or a slow answer from another office does not push us past what we told the public.",
        "When you are going to run late, say so before the deadline passes, not after. A short update with a new date and the reason is almost always accepted. Silence is what turns one complaint into two.",
        "Train people on the process, but also on the conversation. Our sessions spend half their time on listening and on summarising back what the person said. Policy can be looked up; calm listening cannot.",
        "Make the independent review genuinely independent. Our second-stage reviewers sit in a separate team and report to a different director. When managers used to review their own team's decisions, people could tell.",
        "Close the loop with the staff whose work was complained about. Tell them the outcome, including when the complaint was not upheld. Otherwise complaints only ever reach them as bad news, and they learn to dread the process.",
        "Do not forget the accessibility of the process itself. Offer large print and easy read versions, accept complaints through a relay service or an advocate, and check the online form with a screen reader. We had ours tested by disabled users and they found several blockers.",
        "Track how many people drop out between stages, and ask a sample of them why. Some are satisfied, but some have simply given up, and that second group is the one your figures hide.",
        "Tie it to your service standards. If you publish standards for waiting times or accuracy, a complaint is often just a report that a standard was missed, and you can deal with it faster when the standard is your yardstick.",
    ],
    "reactions": [
        "Thanks, {prev}, that is useful. Would you be willing to share the template you use? Happy to send ours in return.",
        "Agree with {prev}. I would add that whatever the process is, it should fit on one page a member of the public can follow, linked from every letter you send.",
        "{prev}, how long did it take to get that agreed internally? Anything touching our policy has to go through a committee cycle, so I am trying to plan ahead.",
        "Seconding {prev}. Small, unglamorous fixes like that tend to matter more than the big restructures.",
        "This thread is turning into a better guide than anything I have found in print. Thanks, everyone, and {prev} in particular.",
        "Good point from {prev}. We tried something similar; the first three months were rough, but the numbers settled once staff trusted it.",
        "{prev}, I am going to borrow that for our next team meeting, if you do not mind.",
        "A data point in support of {prev}: after a similar change, our repeat complaints fell by roughly a third within a year.",
        "A gentle push back on {prev}, only because it depends on size. In a team of four, some of this is hard to staff. Still worth aiming for.",
        "Agreed, and {prev}'s point applies just as much to complaints from staff, which in my experience get far less care than complaints from the public.",
        "Bookmarking this. {prev}, is any of that written up somewhere public that I could point my director to?",
        "Nodding along to {prev}. We learned the same lesson, mostly by getting it wrong first.",
        "{prev} is right, and it is cheap. Most of what makes a complaints process feel fair costs time and attention rather than money.",
        "Speaking as someone who has been on the complaining end recently: what {prev} describes is exactly what I wished had happened to me.",
        "Adding to {prev}: write down why you made each change, so that the next person to rewrite the policy does not undo it by accident.",
        "Interesting, {prev}. Did you measure anything before and after? I would like something concrete to take to our board.",
        "That matches our experience, {prev}. The technology mattered far less than agreeing who owns what.",
        "Thanks, {prev}. For anyone in a similar role, the ombudsman in our area publishes good practice guides that say much the same, and they carry weight with senior managers.",
        "+1 to {prev}. Test it with a handful of real complainants before rolling it out; they spot gaps we never would.",
        "{prev}, that is a good reminder that a process is only as good as the people running it on a busy Friday afternoon.",
        "Very helpful, {prev}. I have shared this thread with our customer service working group.",
    ],
    "quote_template": "{author} wrote this back in {when}:\n\n> {quote}\n\n{remark}",
    "remarks": [
        "We finally made that change this year, and it has paid off.",
        "Still the best advice in this thread, in my view.",
        "Our new director asked why we work this way, so I sent her this thread.",
        "We tried it after reading this, and it worked. Thank you.",
        "Coming back to it because we are reviewing our policy again.",
        "Agreed, and I would add that it only sticks if a senior sponsor keeps asking about it.",
        "This one took us the longest to get right, but it was worth every meeting.",
        "For anyone new to the thread, this is a good place to start.",
        "Easy to say, harder to do, and still worth doing.",
        "We dropped this during a restructure and regretted it within months.",
    ],
}
