"""``python manage.py seed_demo``: load the Nanshan demo, once.

Loads 南山区 → 南山街道 with its 13 communities, the organizations, people and memberships that
reproduce the case study's figures, and one login per role; then prints the logins (``make demo``
shows them). Running it again changes nothing: it sees the demo and says so.
"""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sifu.accounts.models import User
from sifu.registry.demo import DemoConflict, seed_demo
from sifu.registry.demo.data import ACCOUNTS, PASSWORD
from sifu.registry.demo.plan import BASELINE_ON, FIGURES_ON, MEMBERS_ON
from sifu.registry.selectors import registry_figures


class Command(BaseCommand):
    help = "Load the Nanshan demo (南山街道, 13 communities, organizations, people, demo logins). Idempotent."

    def handle(self, *args, **options) -> None:
        start = time.perf_counter()
        try:
            result = seed_demo()
        except (DemoConflict, ValidationError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("The demo was not loaded: " + " ".join(messages)) from exc
        where = result.subdistrict.name
        if not result.created:
            self.stdout.write(
                f"The Nanshan demo is already loaded ({result.organizations} organizations under {where}); "
                "nothing was changed."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded the Nanshan demo in {time.perf_counter() - start:.1f} s: {result.organizations} "
                    f"organizations, {result.people} people, {result.memberships} memberships under {where}."
                )
            )
            self._figures(result.subdistrict)
        self._logins()

    def _figures(self, subdistrict) -> None:
        now = registry_figures(FIGURES_ON, area=subdistrict)
        orgs = now["organizations"]
        self.stdout.write(
            f"  {FIGURES_ON}: {orgs['active']} active organizations "
            f"({orgs['by_nature']['association']} association-type, {orgs['by_nature']['service']} service-type; "
            f"{orgs['by_legal_status']['registered']} registered)"
        )
        baseline = registry_figures(BASELINE_ON, area=subdistrict)["organizations"]["active"]
        self.stdout.write(f"  {BASELINE_ON}: {baseline} active organizations")
        members = registry_figures(MEMBERS_ON, area=subdistrict)
        party = members["party"]
        self.stdout.write(
            f"  {MEMBERS_ON}: {members['members']['memberships']} memberships; {party['party_members']} party members "
            f"in {party['orgs_with_party_members']} organizations; {party['party_member_leaders']} party-member "
            f"leaders; {party['party_branches']} party branches"
        )

    def _logins(self) -> None:
        users = User.objects.filter(username__in=[a.username for a in ACCOUNTS])
        names = dict(users.values_list("username", "display_name"))
        self.stdout.write(f"\nDemo logins (password for all: {PASSWORD})")
        for account in ACCOUNTS:
            self.stdout.write(f"  {account.username:<8} {account.description:<42} {names.get(account.username, '')}")
