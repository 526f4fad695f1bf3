"""Reading the text of archived documents: PDF (text layer, OCR of scanned pages), DOCX, DOC, WPS,
XLSX, XLS, ET, RTF, OFD, plain text, images (OCR) and archives of them (read), in worker processes
under a memory and a time limit (workers), with a named outcome for every document that cannot be
read (model).

May import: `pipelines.extraction` only.
"""
