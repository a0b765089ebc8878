"""The acceptance journey in a real browser: register, log out and in, start a topic, reply,
edit; a visitor logging in to reply comes back to the topic; script in a post never runs."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, expect

NAME = "Ada Lovelace"
EMAIL = "ada@example.gov"
PASSWORD = "analytical engine 1843"

XSS_PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "[x](javascript:window.__xss=1)",
    '<svg onload="window.__xss=1">',
    '<a href="javascript:window.__xss=1">click</a>',
    '<iframe src="javascript:window.__xss=1">',
    '<a href="JaVaScRiPt:window.__xss=1" title="x" onmouseover="window.__xss=1">mixed case</a>',
    '<a href="/forums" onclick="window.__xss=1">a local link</a>',
    "<b onclick=\"alert('xss')\">bold</b>",
    "<details open ontoggle=\"alert('xss')\">toggle</details>",
]


def post_id_from(url: str) -> int:
    match = re.search(r"#post-(\d+)$", url)
    assert match, f"expected to land on a post anchor, got {url}"
    return int(match.group(1))


def log_in(page: Page, login: str = EMAIL, password: str = PASSWORD) -> None:
    page.get_by_label("Email address or display name").fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def test_member_journey_and_visitor_returns_to_topic(page: Page, new_context, make):
    make.forum("Customer service", slug="customer-service")
    make.forum("Procurement", slug="procurement")

    # Register through the form.
    page.goto("/")
    page.get_by_role("link", name="Register").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    page.get_by_label("Display name").fill(NAME)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # The same answer as for a taken address (nobody is logged in by registering): log in.
    expect(page.get_by_role("status")).to_contain_text("We have sent an email to")
    log_in(page)
    header = page.get_by_role("navigation", name="Main")
    expect(header.get_by_role("link", name=NAME)).to_be_visible()

    # Log out, then log in again.
    header.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You have logged out.")
    expect(header.get_by_role("link", name=NAME)).to_have_count(0)
    header.get_by_role("link", name="Log in").click()
    log_in(page)
    expect(page.get_by_role("status")).to_contain_text(f"You are logged in as {NAME}.")

    # Start a topic, choosing the forum.
    page.goto("/t/new")
    page.get_by_label("Forum").select_option(label="Procurement")
    page.get_by_label("Title").fill("Framework agreements for small suppliers")
    page.get_by_label("Your message").fill("Has anyone opened a framework to **small** firms?")
    page.get_by_role("button", name="Post topic").click()
    expect(page.get_by_role("status")).to_contain_text("Your topic has been posted.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Framework agreements for small suppliers")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Procurement")
    opening = page.locator("li.post.opening")
    expect(opening.locator(".post-body strong")).to_have_text("small")
    topic_path = urlsplit(page.url).path

    # Reply to it.
    page.get_by_label("Your reply").fill("We did, with lots split by region.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply has been posted.")
    reply_id = post_id_from(page.url)
    reply = page.locator(f"#post-{reply_id}")
    expect(reply.locator(".post-body")).to_have_text("We did, with lots split by region.")
    expect(reply.locator(".edited")).to_have_count(0)

    # Edit the reply: the new text and the "Edited" mark show.
    reply.get_by_role("link", name="Edit post #2").click()
    expect(page.get_by_label("Message")).to_have_value("We did, with lots split by region.")
    page.get_by_label("Message").fill("We did, with lots split by region and by service.")
    page.get_by_label("Reason for the change (optional)").fill("Added detail")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Your changes have been saved.")
    assert urlsplit(page.url).path == topic_path
    reply = page.locator(f"#post-{reply_id}")
    expect(reply.locator(".post-body")).to_have_text(
        "We did, with lots split by region and by service.")
    expect(reply.locator(".edited")).to_contain_text("Edited")
    expect(reply.get_by_role("link", name="see changes to post #2")).to_be_visible()

    # A visitor, in a fresh context, is asked to log in and comes back to the topic.
    visitor = new_context().new_page()
    visitor.goto(topic_path)
    expect(visitor.get_by_label("Your reply")).to_have_count(0)
    expect(visitor.locator("#reply")).to_contain_text(
        "You must be logged in to reply to this topic.")
    visitor.get_by_role("link", name="Log in to reply").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Log in")
    log_in(visitor, login=NAME)
    expect(visitor.get_by_role("status")).to_contain_text(f"You are logged in as {NAME}.")
    landed = urlsplit(visitor.url)
    assert landed.path == topic_path, visitor.url
    assert landed.fragment == "reply", visitor.url
    expect(visitor.get_by_label("Your reply")).to_be_visible()
    expect(visitor.get_by_role("button", name="Post reply")).to_be_visible()


def test_script_in_a_post_never_runs(page: Page, new_context, make, live_server):
    author = make.user("Grace Hopper")
    topic = make.topic(author=author, title="Is this safe to paste?")
    topic_path = f"/t/{topic.id}-{topic.slug}"

    page.goto("/login")
    log_in(page, login=author.email, password="correct horse battery")
    page.goto(topic_path)
    body = "Testing what is shown, not run:\n\n" + "\n".join(XSS_PAYLOADS)
    page.get_by_label("Your reply").fill(body)
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply has been posted.")
    post_id = post_id_from(page.url)

    # As the site serves it (with its Content-Security-Policy), and with the policy bypassed,
    # so the sanitiser is tested on its own and not only behind the policy.
    for label, context in [("with CSP", new_context()),
                           ("CSP bypassed", new_context(bypass_csp=True))]:
        _assert_no_script_runs(label, context, live_server, topic_path, post_id)


def _assert_no_script_runs(label: str, context: BrowserContext, live_server: str,
                           topic_path: str, post_id: int) -> None:
    # Nothing leaves the machine: links to other sites are cut off, not followed.
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(live_server + "/") else route.abort())
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def ran() -> str:
        return page.evaluate("typeof window.__xss")

    page.goto(topic_path)
    post = page.locator(f"#post-{post_id} .post-body")
    expect(post).to_contain_text("window.__xss=1")  # shown as text
    dangerous = post.evaluate("""(root) => [...root.querySelectorAll('*')].flatMap(el => {
        const found = [];
        if (['SCRIPT', 'IFRAME', 'SVG', 'IMG', 'OBJECT', 'EMBED', 'DETAILS'].includes(
                el.tagName.toUpperCase())) found.push(el.outerHTML);
        for (const attr of el.attributes) {
            if (attr.name.startsWith('on') || /^\\s*javascript:/i.test(attr.value))
                found.push(`${el.tagName} ${attr.name}=${attr.value}`);
        }
        return found;
    })""")
    assert dangerous == [], f"{label}: the post kept {dangerous}"
    assert ran() == "undefined", f"{label}: script ran on load"

    # Links whose address was unsafe lose the link and keep their words; the safe one stays.
    expect(post).to_contain_text("click")
    expect(post).to_contain_text("mixed case")
    count = post.locator("a").count()
    assert count == 1, f"{label}: expected only the safe local link, found {count}"
    for i in range(count):
        page.goto(topic_path)
        link = page.locator(f"#post-{post_id} .post-body a").nth(i)
        link.hover()
        link.click()
        page.wait_for_load_state()
        assert ran() == "undefined", f"{label}: clicking link {i} ran script"
    page.goto(topic_path)
    page.locator(f"#post-{post_id} .post-body b").click()
    assert ran() == "undefined", f"{label}: clicking the bold text ran script"
    assert dialogs == [], f"{label}: dialogs appeared: {dialogs}"
