"""``python manage.py seed_demo``: load the Nanshan demo, once.

Loads the registry demo (``sifu.registry.demo``: 南山区 → 南山街道 with its 13 communities, the
organizations, people and memberships that reproduce the case study's figures, one login per
role), then the incubation demo on top of it (``sifu.incubation.demo``: needs, incubation cases,
filing requests and renewals, the service center's plans), in ONE transaction: all or nothing.
It prints the figures and the logins (``make demo`` shows them). Running it again changes nothing:
it sees the demo and says so. The command lives in ``web``, which composes the apps, so that the
registry never imports incubation.
"""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from sifu.accounts.models import Area, User
from sifu.incubation.demo import IncubationResult, seed_incubation_demo
from sifu.incubation.selectors.figures import incubation_figures
from sifu.registry.demo import DemoConflict, seed_demo
from sifu.registry.demo.data import ACCOUNTS, PASSWORD
from sifu.registry.demo.plan import BASELINE_ON, FIGURES_ON, MEMBERS_ON
from sifu.registry.models import Organization
from sifu.registry.selectors import filing_expiring_q, registry_figures


class Command(BaseCommand):
    help = (
        "Load the Nanshan demo (南山街道, 13 communities, organizations, people, demo logins; needs, "
        "incubation cases, filings and plans). Idempotent."
    )

    def handle(self, *args, **options) -> None:
        start = time.perf_counter()
        try:
            with transaction.atomic():
                registry = seed_demo()
                incubation = seed_incubation_demo(registry.subdistrict)
        except (DemoConflict, ValidationError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("The demo was not loaded: " + " ".join(messages)) from exc
        where = registry.subdistrict.name
        seconds = time.perf_counter() - start
        organizations = Organization.objects.filter(community__path__startswith=registry.subdistrict.path).count()
        if not registry.created and not incubation.created:
            self.stdout.write(
                f"The Nanshan demo is already loaded ({organizations} organizations, "
                f"{incubation.needs} needs, {incubation.cases} incubation cases under {where}); nothing was changed."
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
                        f"added the incubation demo in {seconds:.1f} s."
                    )
                )
            self._incubation(registry.subdistrict, incubation)
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

    def _incubation(self, subdistrict: Area, result: IncubationResult) -> None:
        today = timezone.localdate()
        figures = incubation_figures(start=today.replace(year=today.year - 1), end=today, area=subdistrict)
        stages = ", ".join(f"{stage} {n}" for stage, n in figures["cases_by_stage"].items())
        pending = ", ".join(f"{status} {n}" for status, n in figures["filings_pending"].items())
        self.stdout.write(
            f"  Incubation, {today}: {result.needs} needs ({figures['needs_open']} open, "
            f"{figures['needs_served']} served, {figures['gaps']} gaps); {result.cases} cases ({stages}); "
            f"{result.candidates} leader candidates"
        )
        active_filed = Organization.objects.filter(
            community__path__startswith=subdistrict.path,
            status=Organization.Status.ACTIVE,
            legal_status=Organization.LegalStatus.FILED,
        )
        warned = active_filed.filter(filing_expiring_q(today))
        expired = warned.filter(filing_valid_until__lt=today).count()
        self.stdout.write(
            f"  Filing requests: {result.filings} ({result.renewals} renewals approved); open: {pending}; "
            f"{figures['filings_overdue']} overdue; filings ending within 30 days {warned.count() - expired}, "
            f"ended {expired}; {result.plans} service plans"
        )

    def _logins(self) -> None:
        users = User.objects.filter(username__in=[a.username for a in ACCOUNTS])
        names = dict(users.values_list("username", "display_name"))
        self.stdout.write(f"\nDemo logins (password for all: {PASSWORD})")
        for account in ACCOUNTS:
            self.stdout.write(f"  {account.username:<8} {account.description:<42} {names.get(account.username, '')}")
