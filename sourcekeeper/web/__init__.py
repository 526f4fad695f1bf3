"""The web view of `sourcekeeper serve`: routes (app), what each page shows (views), accounts and
their checks (auth), add jobs (addjobs), exports (exports), the interface languages (i18n), the
templates and the style sheet. Thin: every fact comes from `archive_store` and the report's data.

May import: `archive_store`, `pipelines.extraction`, `pipelines.documents`, the rest of `sourcekeeper`.
"""
