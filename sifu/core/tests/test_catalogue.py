"""The zh-Hans catalogue is complete, and the committed .mo is the compiled .po (DESIGN.md §4.10).

- every entry of locale/zh_Hans/LC_MESSAGES/django.po is translated, none is fuzzy, and each
  translation keeps the placeholders and HTML tags of its source string;
- django.mo, which is committed so a machine without gettext can run the demo, translates every
  entry exactly as the .po does (``make messages`` forgot to compile → this fails);
- a fresh extraction finds no source string the catalogue lacks, so a new untranslated string in
  a template or in Python code fails the suite. It runs ``makemessages`` on a scratch copy of the
  sources and of the locale directory, never on the repository's own catalogue.
"""

from __future__ import annotations

import gettext
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings as django_settings
from django.core.management import call_command

LOCALE_DIR = Path(django_settings.BASE_DIR) / "locale"
MESSAGES = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES"
PO = MESSAGES / "django.po"
MO = MESSAGES / "django.mo"

# Named placeholders (%(name)s, %(n)d), bare ones (%s, %d) and a literal %%; HTML tags and entities.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-+ #0]*\d*(?:\.\d+)?[sdifr%]")
MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|&#?\w+;")

# What `manage.py makemessages` skips (the Makefile's --ignore list) plus what it never reads.
IGNORED_DIRS = {".venv", "node_modules", "artifacts", "locale", ".git", "__pycache__", "static", "media", "staticfiles"}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # the extensions makemessages reads for the "django" domain


def _catalogue(path: Path):
    with path.open("rb") as fh:
        return read_po(fh, locale="zh_Hans")


def _entries(path: Path) -> list:
    return [message for message in _catalogue(path) if message.id]


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _sources(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _key(message) -> tuple[str | None, str]:
    return (message.context, _sources(message)[0])


def test_header_declares_one_plural_form():
    text = PO.read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in text
    assert not _catalogue(PO).fuzzy, "the header is still marked fuzzy"


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = _entries(PO)
    assert len(entries) > 500, "the catalogue looks truncated"
    untranslated = [_sources(m)[0] for m in entries if not all(s.strip() for s in _strings(m))]
    fuzzy = [_sources(m)[0] for m in entries if m.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:10]}"


def test_plural_entries_have_exactly_one_form():
    text = PO.read_text(encoding="utf-8")
    assert "msgstr[1]" not in text, "zh-Hans has one plural form: only msgstr[0]"
    for message in _entries(PO):
        if message.pluralizable:
            assert len(_strings(message)) == 1, _sources(message)[0]


def test_translations_keep_placeholders_and_markup():
    problems = []
    for message in _entries(PO):
        for pattern in (PLACEHOLDER, MARKUP):
            # each source form must use the same set of fields as the translation (a plural's
            # singular may omit the count, so compare against the union of the source forms)
            wanted = set().union(*(pattern.findall(s) for s in _sources(message)))
            for translated in _strings(message):
                if set(pattern.findall(translated)) != wanted:
                    problems.append((_sources(message)[0], translated))
    assert not problems, "\n".join(f"{src!r} → {dst!r}" for src, dst in problems)


def test_translations_keep_leading_and_trailing_whitespace():
    problems = []
    for message in _entries(PO):
        source = _sources(message)[0]
        for translated in _strings(message):
            if (source[:1].isspace(), source[-1:].isspace()) != (translated[:1].isspace(), translated[-1:].isspace()):
                problems.append(source)
    assert not problems, problems


def test_committed_mo_matches_the_po():
    """The .mo is compiled from this very .po: every entry translates to its msgstr."""
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    mismatches = []
    for message in _entries(PO):
        singular, *plural = _sources(message)
        strings = _strings(message)
        if plural:
            for n in (0, 1, 2, 5, 21):
                expected = strings[0]  # nplurals=1: one form for every n
                if message.context:
                    got = compiled.npgettext(message.context, singular, plural[0], n)
                else:
                    got = compiled.ngettext(singular, plural[0], n)
                if got != expected:
                    mismatches.append((singular, n, got, expected))
        else:
            got = compiled.pgettext(message.context, singular) if message.context else compiled.gettext(singular)
            if got != strings[0]:
                mismatches.append((singular, None, got, strings[0]))
    assert not mismatches, (
        "locale/zh_Hans/LC_MESSAGES/django.mo is stale: run `manage.py compilemessages -l zh_Hans` "
        f"and commit it. {len(mismatches)} differ, e.g. {mismatches[:5]}"
    )
    # and the .mo holds nothing the .po does not (header entry aside)
    assert len(compiled._catalog) - 1 == sum(len(_strings(m)) for m in _entries(PO)), (
        "the .mo has a different number of entries than the .po"
    )


def _copy_sources(root: Path, target: Path) -> None:
    """The repository's translatable sources (and nothing else), under the same relative paths."""

    def ignore(directory: str, names: list[str]) -> list[str]:
        skipped = []
        for name in names:
            path = Path(directory) / name
            if path.is_dir():
                if name in IGNORED_DIRS or name.startswith("."):
                    skipped.append(name)
            elif path.suffix not in SOURCE_SUFFIXES:
                skipped.append(name)
        return skipped

    for entry in root.iterdir():
        if entry.is_dir() and entry.name not in IGNORED_DIRS and not entry.name.startswith("."):
            shutil.copytree(entry, target / entry.name, ignore=ignore)
        elif entry.is_file() and entry.suffix in SOURCE_SUFFIXES:
            shutil.copy2(entry, target / entry.name)


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib")),
    reason="GNU gettext is not installed",
)
def test_no_source_string_is_missing_from_the_catalogue(tmp_path, settings, monkeypatch):
    """Extract afresh into a scratch copy: every msgid found must already be in the committed .po.

    makemessages writes each file's strings to the LOCALE_PATHS entry whose parent directory holds
    the file, and adds ./locale when it exists; so it runs in a copy of the sources whose own
    ./locale is the copy of the catalogue, and the repository is never written to.
    """
    root = Path(django_settings.BASE_DIR)
    work = tmp_path / "src"
    work.mkdir()
    _copy_sources(root, work)
    shutil.copytree(LOCALE_DIR, work / "locale")
    settings.LOCALE_PATHS = [work / "locale"]
    monkeypatch.chdir(work)

    call_command(
        "makemessages",
        locale=["zh_Hans"],
        no_location=True,
        ignore_patterns=["node_modules/*", "artifacts/*", ".venv/*"],
        verbosity=0,
    )

    fresh = _entries(work / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    committed = {_key(m) for m in _entries(PO)}
    assert len(fresh) > 500, "the extraction found too little: did it run in the right directory?"
    missing = sorted({_sources(m)[0] for m in fresh if _key(m) not in committed})
    assert not missing, (
        f"{len(missing)} source string(s) are not in locale/zh_Hans/LC_MESSAGES/django.po: run "
        "`manage.py makemessages -l zh_Hans --no-location --ignore=.venv --ignore=node_modules "
        f"--ignore=artifacts`, translate, then compilemessages. Missing: {missing[:20]}"
    )
    # what makemessages carried over from the committed catalogue is translated
    untranslated = [_sources(m)[0] for m in fresh if not all(s.strip() for s in _strings(m)) or m.fuzzy]
    assert not untranslated, untranslated[:20]
