"""`./iesmed staff add | list | password | telegram`: staff accounts, made by an operator.

Passwords are never command-line arguments (they would land in the shell history
and the process list): they are asked for twice on a terminal, or read from the
first line of standard input otherwise (`printf '%s\\n' "$PW" | ./iesmed staff add …`).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from sqlalchemy.orm import Session, sessionmaker

from bot.config import load_settings
from catalog import staff
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.staff import ROLES, StaffError
from catalog.vocabulary import LANGUAGES


def read_password(stdin: TextIO, *, confirm: bool = True) -> str:
    """Ask for a password on a terminal (twice), or read one line from a pipe.

    Raises:
        StaffError: the two entries differ, or nothing was given.
    """
    if stdin.isatty():
        password = getpass.getpass("Password: ")
        if confirm and getpass.getpass("Repeat the password: ") != password:
            raise StaffError("the two passwords differ")
    else:
        password = stdin.readline().rstrip("\r\n")
    if not password:
        raise StaffError("no password given")
    return password


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iesmed staff",
                                     description="Staff console accounts (no default account).")
    parser.add_argument("--database", help="database URL (default: DATABASE_URL)")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create an account; the password is asked for")
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--name", default="", help="shown to users when the broker joins")
    add.add_argument("--language", choices=LANGUAGES, default="en",
                     help="language of the console for this account")
    actions.add_parser("list", help="list accounts")
    password = actions.add_parser("password", help="set a new password (ends its sessions)")
    password.add_argument("email")
    telegram = actions.add_parser("telegram", help="let the account answer from the Telegram "
                                  "staff group (its numeric Telegram user id)")
    telegram.add_argument("email")
    link = telegram.add_mutually_exclusive_group(required=True)
    link.add_argument("user_id", nargs="?", type=int)
    link.add_argument("--unlink", action="store_true")
    return parser


def _database(args: argparse.Namespace) -> str:
    return str(args.database) if args.database else load_settings().database


def _list(sessions: sessionmaker[Session], stdout: TextIO) -> None:
    with sessions() as session:
        for account in staff.list_staff(session):
            state = "active" if account.active else "disabled"
            stdout.write(f"{account.email}\t{account.role}\t{account.language}\t{state}\t"
                         f"{account.name}\n")


def _telegram(sessions: sessionmaker[Session], args: argparse.Namespace,
              stdout: TextIO) -> None:
    user_id = None if args.unlink else args.user_id
    with sessions.begin() as session:
        staff.link_telegram(session, email=args.email, telegram_user_id=user_id)
    linked = "unlinked" if user_id is None else f"user {user_id} linked"
    stdout.write(f"{args.email.strip().lower()}: Telegram {linked}\n")


def _with_password(sessions: sessionmaker[Session], args: argparse.Namespace,
                   stdin: TextIO, stdout: TextIO) -> None:
    password = read_password(stdin)
    email = args.email.strip().lower()
    with sessions.begin() as session:
        if args.action == "add":
            staff.add_staff(session, email=email, password=password, role=args.role,
                            name=args.name, language=args.language)
            stdout.write(f"account {email} created ({args.role})\n")
        else:
            staff.set_password(session, email=email, password=password)
            stdout.write(f"password of {email} changed; its sessions are ended\n")


def main(argv: list[str], *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run one `staff` command; return the exit code (1 with a message when refused)."""
    args = _parser().parse_args(argv)
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    engine = make_engine(_database(args))
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        if args.action == "list":
            _list(sessions, stdout)
        elif args.action == "telegram":
            _telegram(sessions, args, stdout)
        else:
            _with_password(sessions, args, stdin, stdout)
        return 0
    except StaffError as exc:
        print(f"iesmed staff: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
