"""Registry views (people)."""

urls: list = []
