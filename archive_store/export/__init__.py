"""What leaves the archive: WACZ 1.1.1 packages (select, build, sign, check), BagIt bags, the
citation manifests of report runs (citations), and pywb replay (replay, pywb_launch).

May import: every room of `archive_store` but `crawl`.
"""
