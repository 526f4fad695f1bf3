"""Reading input documents into URLs: seed lists (seeds) and the reports whose citations are
archived — HTML, Markdown, PDF and DOCX (links, markdown, office).

May import: `pipelines.extraction` only.
"""
