"""The network without Scrapy or Twisted: which addresses may be reached (netpolicy), the same
guard for urllib calls (urlguard), vantage points and proxies (vantage), what a TLS handshake was
(tlsfacts), and the HTTP clients outside the crawl: public web archives' copies (memento) and push
for corroboration (push).

May import: the index and the rooms below it; never Scrapy, Twisted or `archive_store.crawl`.
"""
