"""A broker takes over a web chat in the console, live, in two browsers at once (Chromium)."""

from __future__ import annotations

import io
import re
import secrets
import shutil

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bot.core import locales
from catalog.brief import isolate
from ops import staff_accounts
from ops.rasa_project import language_responses

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "a long passphrase for the console"
LIVE = 45_000  # ms: the machine is shared and the bot's outbox worker polls


@pytest.fixture
def browser(stack):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def broker_email(stack):
    """A broker account in the stack's database, made the way `./iesmed staff add` makes it."""
    email = f"maria-{secrets.token_hex(3)}@iesmed.example"
    code = staff_accounts.main(["--database", stack.database_url, "add", email, "--role",
                              "broker", "--name", "Maria", "--language", "en"],
                             stdin=io.StringIO(PASSWORD + "\n"))
    assert code == 0
    return email


def _sign_in(browser: Browser, stack, email: str, password: str = PASSWORD) -> Page:
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(stack.bot_url + "/console/")
    expect(page).to_have_url(re.compile(r"/console/login"))
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', password)
    page.click('button[type="submit"]')
    return page


def _say(page: Page, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")


def test_wrong_password_is_refused_in_the_browser(browser, stack, broker_email):
    page = _sign_in(browser, stack, broker_email, "not the password at all")
    expect(page.get_by_role("alert")).to_have_text("The e-mail or the password is not right.")
    page.goto(stack.bot_url + "/console/")
    expect(page).to_have_url(re.compile(r"/console/login"))


def test_broker_takes_over_an_arabic_web_chat_live_and_hands_it_back(browser, stack,
                                                                    broker_email):
    broker = _sign_in(browser, stack, broker_email)
    expect(broker.locator("h1")).to_have_text("Conversations waiting for a broker")

    user = browser.new_context(locale="ar").new_page()
    with user.expect_response(lambda r: r.url.endswith("/api/conversations")
                              and r.request.method == "POST") as created:
        user.goto(stack.bot_url + "/")
    cid = created.value.json()["conversation_id"]
    expect(user.locator("html")).to_have_attribute("dir", "rtl")

    # The user asks for a person in Arabic and is queued; the core says so in Arabic.
    _say(user, "أريد التحدث مع شخص")
    expect(user.locator(".msg--bot").last).to_contain_text(
        locales.text("handoff_keep_writing", "ar"), timeout=LIVE)

    # The broker's queue shows the conversation without a reload.
    row = broker.locator(f'tr[data-conversation="{cid}"]')
    expect(row).to_contain_text("Arabic", timeout=LIVE)
    expect(row).to_contain_text("Asked for a person")
    row.locator("a.open").click()
    broker.click("#take")
    expect(broker.get_by_role("status")).to_contain_text("You hold this conversation now.")

    # The user is told who joined, then sees the broker's reply appear without reloading.
    expect(user.locator(".msg--notice").last).to_have_text(
        locales.text("handoff_joined", "ar", name=isolate("Maria", "ar")), timeout=LIVE)
    reply = "مرحبا، أنا ماريا من فريق إيسميد. كيف يمكنني مساعدتكم؟"
    broker.fill("#reply-text", reply)
    broker.click("#reply-send")
    expect(user.locator(".msg--broker")).to_have_text([reply], timeout=LIVE)
    expect(broker.locator("#transcript .msg--broker .badge--sent")).to_be_visible(timeout=LIVE)

    # The user answers; the assistant stays silent and the broker sees it live.
    answer = "نحن تعاونية نسائية في صفاقس ونحتاج إلى قرض صغير"
    bot_bubbles = user.locator(".msg--bot").count()
    _say(user, answer)
    expect(broker.locator("#transcript .msg--user .msg__text").last).to_have_text(
        answer, timeout=LIVE)
    expect(user.locator("#send")).to_be_enabled()
    assert user.locator(".msg--bot").count() == bot_bubbles

    # The broker hands back; the user is told, and the assistant answers in Arabic again.
    broker.click("#hand-back")
    expect(broker.get_by_role("status")).to_contain_text("The assistant is answering again.")
    expect(user.locator(".msg--notice").last).to_have_text(
        locales.text("handoff_returned", "ar"), timeout=LIVE)
    _say(user, "مرحبا")
    greeting = language_responses()["ar"]["utter_greet"][0]["text"]
    expect(user.locator(".msg--bot").last).to_contain_text(greeting[:25], timeout=LIVE)
    assert user.locator(".msg--broker").count() == 1
