"""The `report` command's data (what happened to each cited source) and its HTML page."""
