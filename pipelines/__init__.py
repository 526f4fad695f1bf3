"""Extraction library: decode, classify, extract Chinese official pages."""
