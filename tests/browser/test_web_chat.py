"""The web chat page in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from ops.rasa_project import language_responses

pytestmark = pytest.mark.e2e
RESPONSES = language_responses()
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
expect.set_options(timeout=30_000)  # the machine is shared: allow slow replies


@pytest.fixture
def page(stack):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"])
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      locale="fr-FR", is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(stack.bot_url + "/")
        yield page
        context.close()
        browser.close()


def _send(page: Page, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")


def test_chat_on_a_phone_screen_with_buttons(page):
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    _send(page, "Bonjour")
    greeting = RESPONSES["fr"]["utter_greet"][0]
    expect(page.locator(".msg--bot").first).to_contain_text(greeting["text"][:30])
    buttons = page.locator(".msg--bot .buttons button")
    expect(buttons).to_have_count(len(greeting["buttons"]))
    # Everything fits the phone's width: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    help_title = greeting["buttons"][3]["title"]
    page.get_by_role("button", name=help_title).click()
    expect(page.locator(".msg--me").last).to_have_text(help_title)
    expect(page.locator(".msg--bot").last).to_contain_text(
        RESPONSES["fr"]["utter_help"][0]["text"][:25])
    expect(page.get_by_role("button", name=help_title)).to_be_disabled()


def test_switching_to_arabic_turns_the_page_right_to_left(page):
    _send(page, "Bonjour")
    expect(page.locator(".msg--bot")).to_have_count(1)
    page.select_option("#language", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".msg--bot").last).to_have_text(
        RESPONSES["ar"]["utter_language_changed"][0]["text"])
    expect(page.locator("#send")).not_to_have_text("Send")
    _send(page, "مرحبا")
    expect(page.locator(".msg--bot").last).to_contain_text(
        RESPONSES["ar"]["utter_greet"][0]["text"][:20])


def test_markup_typed_by_the_user_is_shown_as_text(page):
    _send(page, "<img src=x onerror=\"document.title='pwned'\"><b>bold</b>")
    expect(page.locator(".msg--me").last).to_have_text(
        "<img src=x onerror=\"document.title='pwned'\"><b>bold</b>")
    expect(page.locator(".msg--bot")).to_have_count(1)
    assert page.title() == "iesMed"
    assert page.locator(".msg--me img").count() == 0


def test_after_erasing_everything_the_page_goes_on_in_a_new_conversation(page, stack):
    _send(page, "Bonjour")
    expect(page.locator(".msg--bot")).to_have_count(1)
    _send(page, "/forget")
    confirm = RESPONSES["fr"]["utter_confirm_erase"][0]["buttons"][0]["title"]
    page.get_by_role("button", name=confirm).click()
    expect(page.locator(".msg--bot").last).to_have_text(
        RESPONSES["fr"]["utter_data_erased"][0]["text"])
    _send(page, "Bonjour")
    expect(page.locator(".msg--bot").last).to_contain_text(
        RESPONSES["fr"]["utter_greet"][0]["text"][:30])
    assert page.locator(".msg--bot", has_text="Error").count() == 0


def test_a_registration_confirmation_offers_the_calendar_file_for_download(page, stack):
    import datetime as dt
    from pathlib import Path

    from icalendar import Calendar
    from sqlalchemy import select

    from catalog.db import make_engine, make_session_factory
    from catalog.models import Event
    from tests.e2e.test_event_registrations import _event

    engine = make_engine(stack.database_url)
    sessions = make_session_factory(engine)
    key = _event(sessions, capacity=None)
    try:
        _send(page, "Bonjour")
        expect(page.locator(".msg--bot")).to_have_count(1)
        _send(page, f'/register_event{{"event": "{key}"}}')
        page.get_by_role("button", name=RESPONSES["fr"]["utter_ask_registration_consent"][0]
                         ["buttons"][0]["title"]).click()
        expect(page.locator(".msg--bot").last).to_have_text(
            RESPONSES["fr"]["utter_ask_contact_name"][0]["text"])
        _send(page, "Claire Martin")
        expect(page.locator(".msg--bot").last).to_have_text(
            RESPONSES["fr"]["utter_ask_email"][0]["text"])
        _send(page, "claire@example.org")
        link = page.get_by_role("link", name="Ajouter à votre agenda (.ics)")
        expect(link).to_be_visible()
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == f"{key}.ics"
        [entry] = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")
        with sessions() as session:
            starts = session.scalar(select(Event.starts_at).where(Event.key == key))
        assert entry.decoded("dtstart").astimezone(dt.UTC) == starts
    finally:
        with sessions.begin() as session:
            session.delete(session.scalar(select(Event).where(Event.key == key)))
        engine.dispose()
