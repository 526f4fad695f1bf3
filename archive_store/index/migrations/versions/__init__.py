"""Migration scripts, one per revision, oldest first (0001 = the schema as first released)."""
