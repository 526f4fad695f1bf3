"""Spiders: what to fetch and which items to yield (urls, listing, recheck, report, the Redis
frontier). No storage code here: capture happens below the downloader (archive_store.crawl), and
items (defined in `pipelines.items`) flow to the pipelines registered by import path. May import
`archive_store`, `pipelines.items`, `pipelines.extraction` and `pipelines.documents`."""
