"""The writing experience in a real browser, with script and without: the composer's toolbar,
shortcuts and live preview; pages pass axe-core and the Nu Html Checker at 1280 and 390 px
(screenshots in screenshots/). Every journey fails on a Content-Security-Policy violation."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import Checker, loaded_width, log_in, vnu_errors


def _topic(make, **kw):
    forum = make.forum("Customer service", slug="customer-service")
    ann = make.user("Ann Lee")
    topic = make.topic(author=ann, forum=forum, title="Queues at the front counter",
                       body="How do you keep the queue moving?", **kw)
    return forum, ann, topic, f"/t/{topic.id}-{topic.slug}"


def test_composer_toolbar_shortcuts_and_live_preview(new_context, make):
    forum, ann, topic, path = _topic(make)
    bob = make.user("Bob Smith")
    page = new_context().new_page()
    log_in(page, bob.email)
    page.goto(f"/t/{topic.id}/reply")
    box = page.get_by_label("Your reply")
    toolbar = page.get_by_role("toolbar", name="Formatting")
    expect(toolbar).to_be_visible()
    for name in ["Bold", "Italic", "Link", "Quote", "Bulleted list", "Numbered list",
                 "Heading", "Code"]:
        expect(toolbar.get_by_role("button", name=name, exact=True)).to_be_visible()

    # Buttons wrap the selection (or insert a placeholder, selected, to type over).
    box.fill("We use a ticket machine")
    box.evaluate("el => el.setSelectionRange(9, 23)")
    toolbar.get_by_role("button", name="Bold").click()
    expect(box).to_have_value("We use a **ticket machine**")
    box.press("End")
    box.press("Enter")
    box.press("Enter")
    toolbar.get_by_role("button", name="Bulleted list").click()
    box.press_sequentially("one item")
    expect(box).to_have_value("We use a **ticket machine**\n\n- one item")

    # Keyboard only: shortcuts in the text, and one tab stop with arrow keys in the toolbar.
    box.press("Enter")
    box.press("Enter")
    box.press("Control+i")
    box.press_sequentially("gently")
    expect(box).to_have_value(re.compile(r"_gently_$"))
    box.press("End")
    box.press("Control+k")
    page.keyboard.type("https://www.example.gov/queues")
    expect(box).to_have_value(re.compile(r"\[link text\]\(https://www.example.gov/queues\)$"))
    toolbar.get_by_role("button", name="Bold").focus()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Italic")).to_be_focused()
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="Code")).to_be_focused()

    # The live preview, rendered by the server's markup module, follows the typing.
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("strong")).to_have_text("ticket machine")
    expect(preview.locator("li")).to_have_text("one item")
    expect(preview.locator("a")).to_have_attribute("rel", "nofollow ugc noopener")
    box.press_sequentially(" <script>alert(1)</script>")
    expect(preview).to_contain_text("<script>alert(1)</script>")  # shown as text, never run

    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply has been posted")
    expect(page.locator(".post").last.locator("strong")).to_have_text("ticket machine")


def test_composer_without_script_keeps_the_preview_button(new_context, make):
    forum, ann, topic, path = _topic(make)
    bob = make.user("Bob Smith")
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, bob.email)
    page.goto(f"/t/{topic.id}/reply")
    expect(page.get_by_role("toolbar")).to_have_count(0)
    page.get_by_label("Your reply").fill("We use a **ticket machine**")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview strong")).to_have_text("ticket machine")
    expect(page.get_by_label("Your reply")).to_have_value("We use a **ticket machine**")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply has been posted")


def test_writing_pages_are_accessible_and_valid(new_context, make):
    forum, ann, topic, path = _topic(make)
    bob = make.user("Bob Smith")
    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    log_in(page, bob.email)
    page.goto(f"/t/{topic.id}/reply")
    page.get_by_label("Your reply").fill("# A heading\n\n**Bold** and a list:\n\n- one")
    expect(page.get_by_role("region", name="Preview").locator("h3")).to_have_text("A heading")
    checker.here("composer-reply")
    page.goto(path)
    page.get_by_label("Your reply").fill("Some *text*")
    expect(page.get_by_role("region", name="Preview").locator("em")).to_have_text("text")
    checker.here("composer-topic")
    checker.visit("composer-new-topic", f"/t/new?forum={forum.slug}")
    # A topic with a quoted post, a picture and a PDF.
    page.goto(path)
    page.locator(f"#post-{topic.first_post_id}").get_by_role("link", name="Quote post #1").click()
    page.get_by_label("Attach files (optional)").set_input_files(files=[
        {"name": "board.png", "mimeType": "image/png", "buffer": _png()},
        {"name": "guidance.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_label("Describe each picture").fill("The queue board by the door")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply has been posted")
    checker.visit("topic-with-attachments", path)
    checker.visit("quote-no-script", f"/p/{topic.first_post_id}/quote")
    problems = checker.problems + [f"{line} (vnu)" for line in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)


def test_quote_a_selection_with_script_and_the_whole_post_without(new_context, make):
    forum, ann, topic, path = _topic(make)
    bob = make.user("Bob Smith")
    page = new_context().new_page()
    log_in(page, bob.email)
    page.goto(path)
    opening = page.locator(f"#post-{topic.first_post_id}")
    # Select "keep the queue" in the opening post, then press its Quote link.
    opening.locator(".post-body p").evaluate("""p => {
        const text = p.firstChild, start = text.data.indexOf('keep the queue');
        const range = document.createRange();
        range.setStart(text, start); range.setEnd(text, start + 'keep the queue'.length);
        const selection = window.getSelection();
        selection.removeAllRanges(); selection.addRange(range);
    }""")
    opening.get_by_role("link", name="Quote post #1").click()
    box = page.get_by_label("Your reply")
    expect(box).to_be_focused()
    expect(box).to_have_value(f"> [Ann Lee wrote](/p/{topic.first_post_id}):\n>\n"
                              "> keep the queue\n\n")
    box.press_sequentially("We use a ticket machine.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply has been posted")
    expect(page.locator(".post").last.locator("blockquote")).to_contain_text("keep the queue")
    expect(opening.locator(".quoted-by")).to_have_text("1 reply quotes this")

    # Without script the link opens the reply page with the whole post quoted.
    plain = new_context(java_script_enabled=False).new_page()
    log_in(plain, bob.email)
    plain.goto(path)
    plain.locator(f"#post-{topic.first_post_id}").get_by_role(
        "link", name="Quote post #1").click()
    expect(plain.get_by_role("heading", level=1)).to_contain_text("Reply to")
    expect(plain.get_by_label("Your reply")).to_have_value(
        f"> [Ann Lee wrote](/p/{topic.first_post_id}):\n>\n> How do you keep the queue moving?\n\n")


def test_draft_survives_a_lost_connection_and_follows_to_another_device(new_context, make):
    forum, ann, topic, path = _topic(make)
    bob = make.user("Bob Smith")
    context = new_context()
    page = context.new_page()
    log_in(page, bob.email)
    page.goto(path)
    box = page.get_by_label("Your reply")
    box.fill("First part, saved to the forum.")
    expect(page.locator(".draft-status")).to_contain_text("Draft saved at", timeout=10_000)

    # The connection goes; the member keeps typing, and the page says where the text is.
    context.set_offline(True)
    box.press("End")
    box.press_sequentially(" Second part, typed offline.")
    expect(page.locator(".draft-status")).to_contain_text("Not saved to the forum yet",
                                                          timeout=10_000)
    page.close()

    # Back online, the same browser puts back everything, then saves it as the draft.
    context.set_offline(False)
    page = context.new_page()
    page.goto(path)
    box = page.get_by_label("Your reply")
    expect(box).to_have_value("First part, saved to the forum. Second part, typed offline.")
    expect(page.locator(".draft-status")).to_contain_text("Draft saved at", timeout=10_000)

    # Another device (no script at all) is offered the draft; sending it ends it.
    other = new_context(java_script_enabled=False).new_page()
    log_in(other, bob.email)
    other.goto(path)
    expect(other.get_by_text("We kept the text you had not sent yet")).to_be_visible()
    expect(other.get_by_label("Your reply")).to_have_value(
        "First part, saved to the forum. Second part, typed offline.")
    other.get_by_role("button", name="Post reply").click()
    expect(other.get_by_role("status")).to_contain_text("Your reply has been posted")
    page.goto(path)
    expect(page.get_by_label("Your reply")).to_have_value("")
    expect(page.get_by_text("We kept the text you had not sent yet")).to_have_count(0)


def test_preview_without_script_keeps_a_draft(new_context, make):
    forum, ann, topic, path = _topic(make)
    bob = make.user("Bob Smith")
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, bob.email)
    page.goto(f"/t/new?forum={forum.slug}")
    page.get_by_label("Title").fill("Greeters at the door")
    page.get_by_label("Your message").fill("Has anyone tried greeters?")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview")).to_contain_text("Has anyone tried greeters?")
    page.goto("/")
    page.goto(f"/t/new?forum={forum.slug}")
    expect(page.get_by_label("Title")).to_have_value("Greeters at the door")
    expect(page.get_by_label("Your message")).to_have_value("Has anyone tried greeters?")


def _png() -> bytes:
    import io
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (0, 112, 60)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_attach_a_picture_and_a_pdf_with_and_without_script(new_context, make):
    forum, ann, topic, path = _topic(make)
    bob = make.user("Bob Smith")
    for javascript in (True, False):
        page = new_context(java_script_enabled=javascript).new_page()
        log_in(page, bob.email)
        page.goto(path)
        page.get_by_label("Your reply").fill("Our queue board and the guidance.")
        # A refused file first: the reason, and the text still there.
        page.get_by_label("Attach files (optional)").set_input_files(
            files=[{"name": "page.png", "mimeType": "image/png",
                    "buffer": b"<html><script>alert(1)</script></html>"}])
        page.get_by_role("button", name="Post reply").click()
        expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
        expect(page.locator(".error-message")).to_contain_text(
            "That type of file cannot be attached.")
        expect(page.get_by_label("Your reply")).to_have_value(
            "Our queue board and the guidance.")
        page.get_by_label("Attach files (optional)").set_input_files(files=[
            {"name": "board.png", "mimeType": "image/png", "buffer": _png()},
            {"name": "guidance.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        page.get_by_label("Describe each picture").fill("The queue board by the door")
        page.get_by_role("button", name="Post reply").click()
        expect(page.get_by_role("status")).to_contain_text("Your reply has been posted")
        last = page.locator(".post").last
        picture = last.get_by_role("img", name="The queue board by the door")
        expect(picture).to_be_visible()
        assert loaded_width(picture) == 120
        expect(last.get_by_role("link", name="guidance.pdf")).to_be_visible()
        expect(last.locator(".attachment-meta")).to_contain_text("PDF")


def test_avatar_upload_journey_and_pages_are_accessible(new_context, make):
    forum, ann, topic, path = _topic(make)
    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    log_in(page, ann.email)
    checker.visit("avatar-settings-initials", "/settings/picture")
    checker.visit("topic-initials", path)
    page.goto("/settings/picture")
    page.get_by_label("Choose a picture").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": _png()}])
    page.get_by_role("button", name="Save picture").click()
    expect(page.get_by_role("status")).to_contain_text("Your picture has been saved.")
    checker.check("avatar-settings-picture", page.reload())
    checker.visit("topic-avatars", path)
    avatar = page.locator(f"#post-{topic.first_post_id} img.avatar")
    expect(avatar).to_be_visible()
    assert loaded_width(avatar) == 48
    checker.visit("profile-avatar", "/u/Ann Lee")
    checker.visit("forum-avatars", f"/f/{forum.slug}")
    problems = checker.problems + [f"{line} (vnu)" for line in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)


def test_history_shows_a_word_level_diff(new_context, make):
    forum, ann, topic, path = _topic(make)
    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    log_in(page, ann.email)
    page.goto(f"/p/{topic.first_post_id}/edit")
    page.get_by_label("Message").fill("How do you keep the long queue moving fast?")
    page.get_by_label("Reason for the change (optional)").fill("Clearer question")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Your changes have been saved.")
    page.get_by_role("link", name=re.compile("see changes")).click()
    version = page.locator(".revisions > li").nth(1)
    expect(version.locator("ins")).to_have_count(2)
    expect(version.locator("ins").first).to_have_text("[added: long  ]")
    expect(version).to_contain_text("Reason: Clearer question")
    checker.check("history-diff", page.reload())
    problems = checker.problems + [f"{line} (vnu)" for line in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)


def test_mention_a_member_with_the_keyboard_only(new_context, make):
    forum, ann, topic, path = _topic(make)
    bob = make.user("Bob Smith")
    make.user("Priyanka Shah")
    make.user("Anand Priyadarshi")
    # The open list passes axe at both widths (axe's script needs the CSP bypassed).
    audited = new_context(bypass_csp=True).new_page()
    log_in(audited, make.user("Cara Jones").email)
    audited.goto(f"/t/{topic.id}-{topic.slug}")
    audited.get_by_label("Your reply").press_sequentially("Hello @pri")
    expect(audited.get_by_role("option", name="Anand Priyadarshi")).to_be_visible()
    audited.keyboard.press("ArrowDown")
    checker = Checker(audited)
    checker.audit("mention-suggestions")
    assert not checker.problems, "\n".join(checker.problems)

    page = new_context().new_page()  # script under the site's CSP
    log_in(page, bob.email)
    page.goto(f"/t/{topic.id}/reply")
    box = page.get_by_label("Your reply")
    box.focus()
    page.keyboard.type("Thanks @pri")
    names = page.get_by_role("listbox", name="Members to mention")
    expect(names.get_by_role("option")).to_have_text(["Priyanka Shah", "Anand Priyadarshi"])
    expect(box).to_have_attribute("aria-autocomplete", "list")
    expect(box).to_have_attribute("aria-controls", names.get_attribute("id"))
    status = page.locator(f"#{box.get_attribute('id')}-mention-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("2 members found")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile("."))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = names.get_by_role("option", name="Anand Priyadarshi")
    expect(second).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    page.keyboard.press("ArrowDown")  # round to the first
    page.keyboard.press("ArrowUp")    # and back to the last
    expect(box).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(box).to_have_value("Thanks @Priyanka Shah ")
    expect(names).to_be_hidden()
    expect(box).to_be_focused()

    # Escape closes the list and leaves the text as typed; Enter then makes a new line.
    page.keyboard.type("and @an")
    expect(names.get_by_role("option")).to_have_text(["Anand Priyadarshi", "Ann Lee"])
    page.keyboard.press("Escape")
    expect(names).to_be_hidden()
    page.keyboard.press("Enter")
    expect(box).to_have_value("Thanks @Priyanka Shah and @an\n")
    page.keyboard.type("Nobody here: @zzz")
    expect(status).to_contain_text("No members found")
    expect(names).to_be_hidden()

    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply has been posted")
    expect(page.locator(".post").last).to_contain_text("Thanks @Priyanka Shah and @an")


def test_files_kept_across_preview_and_changed_by_an_edit(new_context, make):
    forum, ann, topic, path = _topic(make)
    bob = make.user("Bob Smith")
    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    log_in(page, bob.email)
    page.goto(f"/t/{topic.id}/reply")
    page.get_by_label("Your reply").fill("The board and the guidance.")
    page.get_by_label("Attach files (optional)").set_input_files(files=[
        {"name": "board.png", "mimeType": "image/png", "buffer": _png()},
        {"name": "guidance.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Preview").click()
    kept = page.get_by_role("group", name="Files you chose before")
    expect(kept.get_by_role("checkbox", name=re.compile("board.png"))).to_be_checked()
    expect(kept.get_by_role("checkbox", name=re.compile("guidance.pdf"))).to_be_checked()
    checker.here("reply-files-kept")
    # Post without choosing the files again (the picture's description is asked for).
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".error-message")).to_contain_text("Describe each picture")
    expect(kept.get_by_role("checkbox")).to_have_count(2)
    page.get_by_label("Describe each picture").fill("The queue board by the door")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply has been posted")
    last = page.locator(".post").last
    expect(last.get_by_role("img", name="The queue board by the door")).to_be_visible()

    # Edit: remove the PDF, add another file; the history keeps the removed one.
    last.get_by_role("link", name=re.compile("Edit")).click()
    checker.here("edit-with-files")
    page.get_by_role("checkbox", name=re.compile("Remove guidance.pdf")).check()
    page.get_by_label("Attach files (optional)").set_input_files(files=[
        {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Your changes have been saved")
    last = page.locator(".post").last
    expect(last.get_by_role("link", name="notes.pdf")).to_be_visible()
    expect(last.get_by_role("link", name="guidance.pdf")).to_have_count(0)
    post_id = last.get_attribute("id").split("-")[1]
    checker.visit("history-with-files", f"/p/{post_id}/history")
    expect(page.locator(".file-history")).to_contain_text("Removed: guidance.pdf")
    problems = checker.problems + [f"{line} (vnu)" for line in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)


def test_conversations_have_the_composer_and_drafts_stay_with_their_writer(new_context, make):
    ann = make.user("Ann Lee")
    bob = make.user("Bob Smith")
    context = new_context()
    page = context.new_page()
    log_in(page, ann.email)
    page.goto("/messages/new")
    page.get_by_label("To").fill("Bob Smith")
    page.get_by_label("Subject").fill("Counter rota")
    box = page.get_by_label("Message")
    expect(page.get_by_role("toolbar", name="Formatting")).to_be_visible()
    box.fill("Can you take **Tuesday**?")
    expect(page.get_by_role("region", name="Preview").locator("strong")).to_have_text("Tuesday")
    expect(page.locator('input[type="file"]')).to_have_count(0)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("Your message has been sent")
    conversation = page.url.split("#")[0]

    # A reply typed while the connection is down is kept in this browser only, for Ann.
    reply = page.get_by_label("Message")
    expect(page.get_by_role("toolbar", name="Formatting")).to_be_visible()
    context.set_offline(True)
    reply.press_sequentially("Private: my leave dates")
    expect(page.locator(".draft-status")).to_contain_text("Not saved to the forum yet",
                                                          timeout=10_000)
    context.set_offline(False)
    page.close()
    context.clear_cookies()  # Ann's session ends without logging out; Bob uses the computer
    page = context.new_page()
    log_in(page, bob.email)
    page.goto(conversation)
    expect(page.get_by_label("Message")).to_have_value("")
    expect(page.get_by_text("We put back text")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()

    # Ann, back on her computer, gets her text back; logging out forgets this browser's copies.
    log_in(page, ann.email)
    page.goto(conversation)
    expect(page.get_by_label("Message")).to_have_value("Private: my leave dates")
    expect(page.locator(".draft-status")).to_contain_text("Draft saved at", timeout=10_000)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_be_visible()
    kept = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('forum-draft:'))")
    assert not [key for key in kept if key.startswith(f"forum-draft:{ann.id}:")]

    # The conversation pages with the composer pass axe and vnu at both widths.
    audited = new_context(bypass_csp=True).new_page()
    checker = Checker(audited)
    log_in(audited, ann.email)
    audited.goto(conversation)
    expect(audited.get_by_label("Message")).to_have_value("Private: my leave dates")
    expect(audited.get_by_role("region", name="Preview")).to_contain_text("my leave dates")
    checker.here("conversation-composer")
    audited.goto("/messages/new")
    audited.get_by_label("Message").fill("A *new* one")
    expect(audited.get_by_role("region", name="Preview").locator("em")).to_have_text("new")
    checker.here("conversation-new-composer")
    problems = checker.problems + [f"{line} (vnu)" for line in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)
