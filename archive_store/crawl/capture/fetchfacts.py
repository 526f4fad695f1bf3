"""Per capture: a `metadata` record saying how it was fetched (vantage point, TLS), and its index row.

Written right after the response/revisit record it refers to (WARC-Refers-To and
WARC-Concurrent-To: the same exchange). Plain-HTTP captures fetched directly get neither: the
warcinfo already says "direct", and a record per page would only repeat it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from archive_store.index.schema import CaptureFacts
from archive_store.net.tlsfacts import complete_facts, summary
from archive_store.net.vantage import request_vantage
from archive_store.warc.recordbuilder import derived_record

if TYPE_CHECKING:
    from scrapy import Request

    from archive_store.warc.recordbuilder import WarcRecord

CONTENT_TYPE = "application/json"
PROFILE = "https://github.com/sourcekeeper/fetch-facts/1"


def facts_for(request: Request, tls: dict[str, Any] | None, host: str) -> dict[str, Any] | None:
    vantage = request_vantage(request)
    if tls is None and vantage == "direct":
        return None
    facts: dict[str, Any] = {"profile": PROFILE, "vantage": vantage}
    if vantage != "direct":
        facts["ip_address_is"] = "the proxy's address, not the server's"
    if tls is not None:
        facts["tls"] = complete_facts(tls, host)
    return facts


def facts_record(uri: str, date: str, record_id: str, facts: dict[str, Any]) -> WarcRecord:
    """The `metadata` record of these facts, for the response/revisit record `record_id`."""
    block = json.dumps(facts, ensure_ascii=False, indent=1).encode()
    record = derived_record(uri, date, record_id, block, CONTENT_TYPE, "metadata")
    record.set("WARC-Concurrent-To", record_id)
    return record


def facts_row(record_id: str, metadata_record_id: str | None, facts: dict[str, Any]) -> CaptureFacts:
    """The index row of these facts (committed with the batch of captures it belongs to)."""
    tls = facts.get("tls")
    return CaptureFacts(
        record_id=record_id,
        metadata_record_id=metadata_record_id,
        vantage=facts["vantage"],
        tls_protocol=tls["protocol"] if tls else None,
        tls_cipher=tls["cipher"] if tls else None,
        tls_mode=tls["mode"] if tls else None,
        tls_verified=tls["verified"] if tls else None,
        tls_json=json.dumps(summary(tls), ensure_ascii=False) if tls else None,
    )
