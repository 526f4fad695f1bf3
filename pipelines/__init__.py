"""Scrapy item pipelines (pipeline: decode → classify → extract → index; recheck: re-check states;
citations: a report's citations), with the libraries they use below them:
`pipelines.extraction` (Chinese-text extraction) and `pipelines.documents` (seed lists and reports
read into URLs). Spiders register these pipelines by import path and never import them; the items
they yield are defined here (`pipelines.items`), so the pipelines never import the spiders."""
