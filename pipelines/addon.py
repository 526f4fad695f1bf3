"""The project's add-on (`ADDONS` in settings.py): the archive add-on with this project's extraction
pipeline and challenge detector named by reference, not by a string only the crawl resolves.

The archive (archive_store) may not import the pipelines, so default_settings.py names both by
import path. This module, in the lowest layer that may import both sides, imports them: the import
rules ([tool.importlinter] in pyproject.toml) then see the dependency, and a renamed class or
function fails here, at import, instead of when a crawl loads the path. The add-on writes their paths
into the settings at add-on priority (a string: settings stay plain data that a worker process can
be given), so `-s ARCHIVE_RENDER_DETECTOR=...` still wins.
"""

from __future__ import annotations

from archive_store.crawl.addon import ArchiveAddon
from pipelines.extraction.render_detect import challenge_of
from pipelines.pipeline import ExtractionPipeline


class SourcekeeperAddon(ArchiveAddon):
    extraction_pipeline = ExtractionPipeline
    render_detector = staticmethod(challenge_of)
