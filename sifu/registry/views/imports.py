"""Registry views (imports)."""

urls: list = []
