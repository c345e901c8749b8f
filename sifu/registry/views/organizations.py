"""Registry views (organizations)."""

urls: list = []
