"""``python manage.py import_registry FILE.xlsx [--dry-run] [--user USERNAME]``

Imports the registry workbook (sheets 组织 and 成员; see ``sifu.registry.imports``). Without
``--user`` it acts as the system actor (every community). On problems it prints one line
per problem — ``工作表 组织 第 5 行 备案编号: reason`` — writes nothing and exits with status 1;
on success it prints the summary and exits 0. It runs in the foreground (not as a job), with a
progress bar per step on the terminal (tqdm, on stderr; none when stderr is not a terminal, or
with ``--no-progress``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from sifu.accounts.models import User
from sifu.accounts.services import system_actor
from sifu.registry.imports import RegistryImport

STEPS = {"read": "1/3 reading rows", "check": "2/3 checking", "write": "3/3 writing"}


class TerminalProgress:
    """The importer's ``progress(stage, done, total)`` as one tqdm bar per step."""

    def __init__(self, *, disable: bool | None) -> None:
        self.disable = disable
        self.bar: Any = None
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=STEPS.get(stage, stage), unit="row", disable=self.disable, leave=True)
        if total is not None and self.bar.total != total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            if self.bar.total:
                self.bar.update(self.bar.total - self.bar.n)
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = "Import organizations (sheet 组织) and members (sheet 成员) from an .xlsx workbook."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx workbook (download the template from the office import page)")
        parser.add_argument("--dry-run", action="store_true", help="check everything and report, but write nothing")
        parser.add_argument("--user", help="act as this user, within their scope (default: the system, everywhere)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on the terminal")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True, is_system=False).first()
            if user is None:
                raise CommandError(f"No active user called {options['user']!r}.")
            by = user
        else:
            by = system_actor()
        # disable=None: tqdm shows the bar only when stderr is a terminal.
        progress = TerminalProgress(disable=True if options["no_progress"] else None)
        try:
            result = RegistryImport(by=by).run(path, dry_run=options["dry_run"], progress=progress)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        finally:
            progress.close()
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"! {warning}"))
        if not result.ok:
            for error in result.errors:
                self.stdout.write(str(error))
            raise CommandError(f"{len(result.errors)} problem(s) found; nothing was written.", returncode=1)
        for line in result.summary.lines():
            self.stdout.write(line)
        if result.dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS("Import complete."))
