"""Operators create console accounts from the command line; passwords never go in argv."""

from __future__ import annotations

import io

import pytest
from starlette.testclient import TestClient

from bot.web.app import create_app
from catalog import staff
from catalog.db import make_engine, make_session_factory
from ops import staff_accounts
from ops.cli import main as iesmed
from ops.supervisor import free_port
from tests.support.console import sign_in


class Terminal(io.StringIO):
    """Standard input that claims to be a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def database(tmp_path):
    return f"sqlite:///{tmp_path / 'staff.sqlite3'}"


def test_an_account_created_from_a_pipe_can_sign_in(database, settings_factory, capsys,
                                                     monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long passphrase\n"))
    assert iesmed(["staff", "--database", database, "add", "Maria@iesmed.example",
                   "--role", "broker", "--name", "Maria", "--language", "fr"]) == 0
    assert "account maria@iesmed.example created (broker)" in capsys.readouterr().out
    app = create_app(settings_factory(DATABASE_URL=database,
                                      RASA_URL=f"http://127.0.0.1:{free_port()}"))
    client = TestClient(app)
    sign_in(client, "maria@iesmed.example", "a long passphrase")
    page = client.get("/console/").text
    assert '<html lang="fr"' in page and "Maria" in page


def test_on_a_terminal_the_password_is_asked_twice(database, monkeypatch, capsys):
    answers = iter(["a long passphrase", "a different one!"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt: next(answers))
    code = staff_accounts.main(["--database", database, "add", "ana@iesmed.example",
                              "--role", "admin"], stdin=Terminal())
    assert code == 1
    assert "the two passwords differ" in capsys.readouterr().err
    assert staff_accounts.main(["--database", database, "list"]) == 0
    assert "ana@iesmed.example" not in capsys.readouterr().out


def test_weak_passwords_duplicates_and_password_arguments_are_refused(database, capsys):
    add = ["--database", database, "add", "omar@iesmed.example", "--role", "broker"]
    assert staff_accounts.main(add, stdin=io.StringIO("short\n")) == 1
    assert "at least 12 characters" in capsys.readouterr().err
    assert staff_accounts.main(add, stdin=io.StringIO("a long passphrase\n")) == 0
    assert staff_accounts.main(add, stdin=io.StringIO("another long one\n")) == 1
    assert "already exists" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        staff_accounts.main([*add, "--password", "a long passphrase"])
    with pytest.raises(SystemExit):
        staff_accounts.main(["--database", database, "add", "x@iesmed.example",
                           "--role", "superuser"])


def test_list_and_password_change(database, settings_factory, capsys):
    staff_accounts.main(["--database", database, "add", "omar@iesmed.example", "--role",
                       "admin", "--name", "Omar"], stdin=io.StringIO("a long passphrase\n"))
    app = create_app(settings_factory(DATABASE_URL=database,
                                      RASA_URL=f"http://127.0.0.1:{free_port()}"))
    client = TestClient(app)
    sign_in(client, "omar@iesmed.example", "a long passphrase")
    capsys.readouterr()
    assert staff_accounts.main(["--database", database, "list"]) == 0
    assert capsys.readouterr().out == "omar@iesmed.example\tadmin\ten\tactive\tOmar\n"
    assert staff_accounts.main(["--database", database, "password", "omar@iesmed.example"],
                             stdin=io.StringIO("a brand new passphrase\n")) == 0
    # The old session ends with the old password; the new password works.
    assert client.get("/console/", follow_redirects=False).status_code == 303
    sign_in(TestClient(app), "omar@iesmed.example", "a brand new passphrase")


def test_linking_a_telegram_account_for_the_staff_group(database, capsys):
    for email in ("omar@iesmed.example", "ana@iesmed.example"):
        staff_accounts.main(["--database", database, "add", email, "--role", "broker"],
                            stdin=io.StringIO("a long passphrase\n"))
    assert staff_accounts.main(["--database", database, "telegram", "omar@iesmed.example",
                                "424242"]) == 0
    assert "user 424242 linked" in capsys.readouterr().out
    assert staff_accounts.main(["--database", database, "telegram", "ana@iesmed.example",
                                "424242"]) == 1
    assert "linked to another staff account" in capsys.readouterr().err
    engine = make_engine(database)
    with make_session_factory(engine)() as session:
        assert staff.by_telegram(session, 424242).email == "omar@iesmed.example"
    assert staff_accounts.main(["--database", database, "telegram", "omar@iesmed.example",
                                "--unlink"]) == 0
    with make_session_factory(engine)() as session:
        assert staff.by_telegram(session, 424242) is None
    engine.dispose()
