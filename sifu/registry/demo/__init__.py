"""The Nanshan demo (issue #2 §7): 南山区 → 南山街道, its 13 communities, organizations, people and logins.

- ``data`` and ``named``: places, accounts, the case study's organizations and their stories, name parts;
- ``people``: generated residents (names, phones, ID numbers);
- ``plan``: everything decided in memory, deterministically, and checked against the case study's figures;
- ``load``: the plan written through the services (history included), idempotently.

``python manage.py seed_demo`` runs ``seed_demo()``.
"""

from sifu.registry.demo.load import DemoConflict, SeedResult, is_loaded, seed_demo

__all__ = ["DemoConflict", "SeedResult", "is_loaded", "seed_demo"]
