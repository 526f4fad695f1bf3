"""The extraction library's version, written into every metadata record it produces.

Raise it whenever decoding, classification or extraction changes what a stored capture yields:
``sourcekeeper reextract`` re-runs extraction over every capture whose newest metadata record
carries an older version (records written before versions existed count as version 1).
"""

from __future__ import annotations

# 3: document identity (issuer, topic, 文号); CMS fast path; general title and date rules;
# documents served without a type (or as HTML) classified by their bytes; site names learned from
# the host's other pages; bylines of short links and dashed URL dates
EXTRACTOR_VERSION = 3
LEGACY_VERSION = 1  # metadata records without an ``extractor_version`` field


def version_of(record: dict[str, object]) -> int:
    """The extractor version a metadata record was written by."""
    value = record.get("extractor_version")
    return value if isinstance(value, int) else LEGACY_VERSION
