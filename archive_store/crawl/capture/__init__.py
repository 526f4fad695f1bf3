"""The recording download handler and the path of its bytes into records: the connection tee and
exchange tape (handler), its connections (endpoints: checked addresses and SOCKS5; tlspolicy:
modern then legacy TLS), media bodies spooled on the way (mediastream), how each capture was
fetched (fetchfacts), and secret request headers replaced (redact).

May import: `net` and the rooms below it; never `archive_store.crawl.render`.
"""
