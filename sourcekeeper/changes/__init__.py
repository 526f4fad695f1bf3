"""What changed between two captures of a URL: the library behind `sourcekeeper diff`, the
report's diffs and the web view.

    from sourcekeeper.changes.capturediff import diff_captures
    diff = diff_captures(index, archive / "warcs", url, "2026-12-01", None)  # -> CaptureDiff
    diff.text.hunks, diff.fields, diff.links, diff.documents, diff.visual, diff.stealth

`model` holds the typed result (frozen dataclasses), `capturediff` builds it from the index and
the WARCs, `visual` compares two screenshots (Pillow), `output` turns it into JSON and terminal
lines, `html` into a self-contained page or a fragment of one. The sentence diff and the
stealth-edit rule are pure text functions in `pipelines.extraction` (sentencediff, stealth), which
the re-check pipeline uses too.

May import: everything (it sits with the command line, on top).
"""
