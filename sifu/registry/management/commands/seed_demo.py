"""``python manage.py seed_demo``: load the Nanshan demo, once.

Loads the registry demo (``sifu.registry.demo``: 南山区 → 南山街道 with its 13 communities, the
organizations, people and memberships that reproduce the case study's figures, one login per
role), then the demo parts the installed stage apps contribute on top of it (``DemoPart`` in their
``contributions.py``: needs, cases, filings, plans …), in ONE transaction: all or nothing.
It prints the figures and the logins (``make demo`` shows them). Running it again changes nothing:
it sees the demo and says so. The command is the registry's, as the demo stands on the registry's
part; the stages' parts come from their contributions, so the registry names none of them.
"""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sifu.accounts.models import Area, User
from sifu.core.contributions import DemoPart, DemoResult, contributed
from sifu.registry.demo import DemoConflict, seed_demo
from sifu.registry.demo.data import ACCOUNTS, PASSWORD
from sifu.registry.demo.plan import BASELINE_ON, FIGURES_ON, MEMBERS_ON
from sifu.registry.models import Organization
from sifu.registry.selectors import registry_figures


class Command(BaseCommand):
    help = (
        "Load the Nanshan demo (南山街道, 13 communities, organizations, people, demo logins; then the "
        "installed stages' parts: needs, cases, filings, plans …). Idempotent."
    )

    def handle(self, *args, **options) -> None:
        start = time.perf_counter()
        try:
            with transaction.atomic():
                registry = seed_demo()
                parts: list[tuple[DemoPart, DemoResult]] = [
                    (part, part.load(registry.subdistrict)) for part in contributed(DemoPart)
                ]
        except (DemoConflict, ValidationError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("The demo was not loaded: " + " ".join(messages)) from exc
        where = registry.subdistrict.name
        seconds = time.perf_counter() - start
        organizations = Organization.objects.filter(community__path__startswith=registry.subdistrict.path).count()
        if not registry.created and not any(result.created for _, result in parts):
            summaries = "".join(f", {result.summary}" for _, result in parts if result.summary)
            self.stdout.write(
                f"The Nanshan demo is already loaded ({organizations} organizations{summaries} under {where}); "
                "nothing was changed."
            )
        else:
            if registry.created:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Loaded the Nanshan demo in {seconds:.1f} s: {organizations} organizations, "
                        f"{registry.people} people, {registry.memberships} memberships under {where}."
                    )
                )
                self._figures(registry.subdistrict)
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"The registry demo was already loaded under {where}; "
                        f"added the {' and '.join(p.name for p, r in parts if r.created)} demo in {seconds:.1f} s."
                    )
                )
            for _, result in parts:
                for line in result.report:
                    self.stdout.write(line)
        self._logins()

    def _figures(self, subdistrict: Area) -> None:
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
