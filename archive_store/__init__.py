"""Everything that touches the archive, in rooms whose imports point one way (top to bottom):

    crawl      the capture side: recording download handler, session, extension, add-on, resume,
               recovery, redaction, warcinfo, default settings — the only room that knows Scrapy
    export     WACZ, BagIt, citation manifests, pywb replay
    audit      `verify` over the whole archive
    storage    S3 back-ends, uploads, reading captures back
    evidence   manifest, custody log, RFC 3161 tokens, export records
    index      the metadata index (SQLAlchemy, Alembic), search, lookup, events, CDXJ
    hooks      what a file-closed hook is given (a protocol, not the crawl session)
    warc       the WARC format only          validate   the independent W-* validator
    layout     the archive folder's names    lock       one writer per archive folder

`pyproject.toml` ([tool.importlinter]) holds these rules as contracts; `make test` checks them.
See docs/architecture.md.
"""
