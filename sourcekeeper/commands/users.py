"""`sourcekeeper users add NAME --role viewer|analyst|admin [--password-stdin]`, `users list`,
`users remove NAME`: the accounts of `serve --login`. The password is asked for (twice) or read
from the first line of stdin; only its argon2id hash is kept, in the index."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Any

from sourcekeeper.options import UsageError, db_url, require_archive
from sourcekeeper.printable import json_line, printable

ROLES = ("viewer", "analyst", "admin")
MIN_PASSWORD = 8


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("users", help="accounts for `serve --login`")
    sub = parser.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="add an account")
    add.add_argument("name", metavar="NAME")
    add.add_argument(
        "--role", choices=ROLES, required=True, help="viewer reads; analyst adds; admin manages accounts"
    )
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin's first line"
    )
    add_common_options(add)
    listing = sub.add_parser("list", help="list the accounts")
    add_common_options(listing)
    remove = sub.add_parser("remove", help="remove an account")
    remove.add_argument("name", metavar="NAME")
    add_common_options(remove)
    parser.set_defaults(func=run)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("the same again: ") != password:
            raise UsageError("the two passwords differ")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password must have at least {MIN_PASSWORD} characters")
    return password


def run(args: argparse.Namespace) -> int:
    from archive_store.evidence.fixity import CustodyLog  # noqa: PLC0415
    from archive_store.index.accounts import AccountError, add_account, list_accounts, remove_account  # noqa: PLC0415
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415
    from archive_store.layout import CUSTODY_NAME  # noqa: PLC0415

    require_archive(args)
    name = getattr(args, "name", "")
    if args.users_command != "list" and (
        not name.strip() or len(name) > 64 or any(c.isspace() for c in name)
    ):
        raise UsageError("a name is 1 to 64 characters, without spaces")
    password = _password(args) if args.users_command == "add" else ""
    index = ArchiveIndex(db_url(args))  # brings an older index to the accounts table
    custody = CustodyLog(args.archive / CUSTODY_NAME)
    try:
        if args.users_command == "add":
            from sourcekeeper.web.auth import hash_password  # noqa: PLC0415

            add_account(index, name, args.role, hash_password(password))
            custody.record("account_added", account=name, role=args.role)
            if not args.quiet:
                print(f"account {printable(name, one_line=True)} added ({args.role})", file=sys.stderr)
        elif args.users_command == "remove":
            remove_account(index, name)
            custody.record("account_removed", account=name)
            if not args.quiet:
                print(f"account {printable(name, one_line=True)} removed", file=sys.stderr)
        else:
            for account in list_accounts(index):
                when = account.created_at.isoformat(timespec="seconds") + "Z"
                if args.json:
                    print(json_line({"name": account.name, "role": account.role, "created_at": when}))
                else:
                    print(f"{printable(account.name, one_line=True)}\t{account.role}\t{when}")
    except AccountError as exc:
        print(f"sourcekeeper users: {exc}", file=sys.stderr)
        return 1
    finally:
        index.close()
    return 0
