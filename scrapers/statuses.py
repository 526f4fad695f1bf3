"""Which HTTP statuses a spider sees itself rather than Scrapy handling them."""

from __future__ import annotations

# Error pages reach the spider (they are captures to classify); redirects are still followed,
# which `handle_httpstatus_all` would stop.
NON_REDIRECT_STATUSES = [s for s in range(300, 600) if s not in (301, 302, 303, 307, 308)]
