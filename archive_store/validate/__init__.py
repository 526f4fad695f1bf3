"""The independent WARC 1.1 validator: the W-* rules of docs/capture-rules.md checked record by
record (recordchecks, httpchecks) and across records and files (crosschecks), with its own tolerant
parsers (warcparse, warcdigest, gzipmembers, blockscan) so that it shares no code with the writer it
checks. Blocks are read as streams, so a record of any size is checked in bounded memory.
`python -m archive_store.validate.validator FILE...` runs it alone.

May import: nothing of ours (it must stay independent of what it checks).
"""
