"""The web view's accounts: name, role and the password's hash (made by the caller; never the
password). `serve --login` reads them; `sourcekeeper users` writes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from archive_store.index.database import ArchiveIndex, utcnow
from archive_store.index.schema import Account

ROLES = ("viewer", "analyst", "admin")


class AccountError(ValueError):
    """An account that exists already, or is not there, or a role that is not one of ROLES."""


@dataclass(frozen=True)
class AccountInfo:
    name: str
    role: str
    password_hash: str
    created_at: datetime


def _info(row: Account) -> AccountInfo:
    return AccountInfo(row.name, row.role, row.password_hash, row.created_at)


def add_account(index: ArchiveIndex, name: str, role: str, password_hash: str) -> AccountInfo:
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
    row = Account(name=name, role=role, password_hash=password_hash, created_at=utcnow())
    with index.session() as s:
        s.add(row)
        try:
            s.commit()
        except IntegrityError:
            raise AccountError(f"there is already an account named {name!r}") from None
        return _info(row)


def get_account(index: ArchiveIndex, name: str) -> AccountInfo | None:
    with index.session() as s:
        row = s.scalar(select(Account).where(Account.name == name))
        return _info(row) if row else None


def list_accounts(index: ArchiveIndex) -> list[AccountInfo]:
    with index.session() as s:
        return [_info(row) for row in s.scalars(select(Account).order_by(Account.name))]


def set_password_hash(index: ArchiveIndex, name: str, password_hash: str) -> None:
    """A newer hash of the same password (argon2's parameters grew): replaces the old one."""
    with index.session() as s:
        row = s.scalar(select(Account).where(Account.name == name))
        if row is not None:
            row.password_hash = password_hash
            s.commit()


def remove_account(index: ArchiveIndex, name: str) -> None:
    with index.session() as s:
        gone = s.execute(delete(Account).where(Account.name == name)).rowcount  # type: ignore[attr-defined]
        s.commit()
    if not gone:
        raise AccountError(f"there is no account named {name!r}")
