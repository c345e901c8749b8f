"""Registry views (public)."""

urls: list = []
