"""The extraction evaluation harness (`make eval`): the real-page corpus and its truth, the
development set generated from it, leave-one-site-out scoring, ours beside trafilatura's.

Not shipped: the runtime packages (`pipelines`, `scrapers`, `archive_store`, `sourcekeeper`) never
import it; it imports the extraction library like any other user.
"""
