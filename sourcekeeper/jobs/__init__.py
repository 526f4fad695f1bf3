"""The library calls behind the subcommands: start a crawl (runner), archive URLs, run a site
profile, re-check, archive a report's citations, show a capture, and what unattended runs need (JSON
log lines, the progress bar, run files)."""
