"""The metadata index and the CDXJ indexes: the schema (SQLAlchemy 2, one for SQLite and
PostgreSQL) and its Alembic migrations, the database handle (database), Chinese full-text search,
capture lookup, re-check events and baselines (and the monitored sources), each seed's verdict after
a run (verdicts), the web view's source list (sourcelist) and accounts (accounts), turning stored
records back into rows (stored), and the CDXJ written beside each closed WARC (cdxj).

May import: `archive_store.hooks`, `archive_store.warc`, `archive_store.layout`, `archive_store.lock`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

if TYPE_CHECKING:
    from archive_store.index.accounts import ROLES as ROLES
    from archive_store.index.accounts import AccountError as AccountError
    from archive_store.index.accounts import AccountInfo as AccountInfo
    from archive_store.index.accounts import add_account as add_account
    from archive_store.index.accounts import get_account as get_account
    from archive_store.index.accounts import list_accounts as list_accounts
    from archive_store.index.accounts import remove_account as remove_account
    from archive_store.index.baselines import RecheckTarget as RecheckTarget
    from archive_store.index.baselines import archived_urls as archived_urls
    from archive_store.index.baselines import build_target as build_target
    from archive_store.index.baselines import last_checked as last_checked
    from archive_store.index.baselines import stored_header as stored_header
    from archive_store.index.cdxj import cdxj_lines as cdxj_lines
    from archive_store.index.cdxj import cdxj_lines_from_index as cdxj_lines_from_index
    from archive_store.index.cdxj import cdxj_path as cdxj_path
    from archive_store.index.cdxj import check_cdxj as check_cdxj
    from archive_store.index.cdxj import fill_missing_cdxj as fill_missing_cdxj
    from archive_store.index.cdxj import fill_missing_cdxj_for_context as fill_missing_cdxj_for_context
    from archive_store.index.cdxj import parse_cdxj as parse_cdxj
    from archive_store.index.cdxj import read_cdxj as read_cdxj
    from archive_store.index.cdxj import sort_bytewise as sort_bytewise
    from archive_store.index.cdxj import write_cdxj as write_cdxj
    from archive_store.index.database import ArchiveIndex as ArchiveIndex
    from archive_store.index.database import default_db_url as default_db_url
    from archive_store.index.database import utcnow as utcnow
    from archive_store.index.events import STATES as STATES
    from archive_store.index.events import add_event as add_event
    from archive_store.index.events import add_to_run_summary as add_to_run_summary
    from archive_store.index.events import capture_ref as capture_ref
    from archive_store.index.events import captures_by_id as captures_by_id
    from archive_store.index.events import event_json as event_json
    from archive_store.index.events import events_for as events_for
    from archive_store.index.events import events_for_run as events_for_run
    from archive_store.index.events import referenced_captures as referenced_captures
    from archive_store.index.events import run_counts as run_counts
    from archive_store.index.lookup import GOOD_STATE as GOOD_STATE
    from archive_store.index.lookup import find_capture as find_capture
    from archive_store.index.lookup import parse_time as parse_time
    from archive_store.index.lookup import url_variants as url_variants
    from archive_store.index.migrations import HERE as HERE
    from archive_store.index.migrations import current_revision as current_revision
    from archive_store.index.migrations import include_name as include_name
    from archive_store.index.migrations import upgrade as upgrade
    from archive_store.index.schema import Base as Base
    from archive_store.index.schema import Capture as Capture
    from archive_store.index.schema import Citation as Citation
    from archive_store.index.schema import Failure as Failure
    from archive_store.index.schema import Page as Page
    from archive_store.index.schema import RecheckEvent as RecheckEvent
    from archive_store.index.schema import Report as Report
    from archive_store.index.schema import Run as Run
    from archive_store.index.schema import WarcFile as WarcFile
    from archive_store.index.sourcelist import STATE_ORDER as STATE_ORDER
    from archive_store.index.sourcelist import SourceList as SourceList
    from archive_store.index.sourcelist import SourceRow as SourceRow
    from archive_store.index.sourcelist import build_rows as build_rows
    from archive_store.index.sourcelist import filter_rows as filter_rows
    from archive_store.index.stored import capture_from_record as capture_from_record
    from archive_store.index.stored import initial_state as initial_state
    from archive_store.index.stored import parse_warc_date as parse_warc_date
    from archive_store.index.when import HELP as HELP
    from archive_store.index.when import When as When
    from archive_store.index.when import parse_when as parse_when

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "accounts": [
            "ROLES",
            "AccountError",
            "AccountInfo",
            "add_account",
            "get_account",
            "list_accounts",
            "remove_account",
        ],
        "baselines": ["RecheckTarget", "archived_urls", "build_target", "last_checked", "stored_header"],
        "cdxj": [
            "cdxj_lines",
            "cdxj_lines_from_index",
            "cdxj_path",
            "check_cdxj",
            "fill_missing_cdxj",
            "fill_missing_cdxj_for_context",
            "parse_cdxj",
            "read_cdxj",
            "sort_bytewise",
            "write_cdxj",
        ],
        "database": ["ArchiveIndex", "default_db_url", "utcnow"],
        "events": [
            "STATES",
            "add_event",
            "add_to_run_summary",
            "capture_ref",
            "captures_by_id",
            "event_json",
            "events_for",
            "events_for_run",
            "referenced_captures",
            "run_counts",
        ],
        "lookup": ["GOOD_STATE", "find_capture", "parse_time", "url_variants"],
        "migrations": ["HERE", "current_revision", "include_name", "upgrade"],
        "schema": [
            "Base",
            "Capture",
            "Citation",
            "Failure",
            "Page",
            "RecheckEvent",
            "Report",
            "Run",
            "WarcFile",
        ],
        "sourcelist": ["STATE_ORDER", "SourceList", "SourceRow", "build_rows", "filter_rows"],
        "stored": ["capture_from_record", "initial_state", "parse_warc_date"],
        "when": ["HELP", "When", "parse_when"],
    },
)
