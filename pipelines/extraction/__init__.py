"""The Chinese-text extraction library: decode (charset with provenance), classify
(challenge / deleted / soft-404 pages), extract (platform rules, then trafilatura), dates, fields,
WeChat page and URL rules, text diffs. Its evaluation (`make eval`) lives in `bench/eval/`.

May import: nothing of ours: the item pipelines, the spiders and the archive use it, never the other
way.
"""
