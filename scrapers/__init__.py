"""Spiders: what to fetch and which items to yield. No storage code here."""
