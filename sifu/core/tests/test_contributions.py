"""The extension points (sifu/core/contributions.py): registration, order, permission filtering,
panels that hide themselves, apps that contribute nothing, and the rule that ``web`` and
``registry`` name no stage app."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.test import RequestFactory
from django.urls import reverse

from sifu.core import contributions
from sifu.core.contributions import (
    FigureSection,
    HomeSection,
    HomeTodos,
    NavItem,
    OrganizationPanel,
    Period,
    PublicSection,
    Stage,
    Todo,
    contributed,
    contributions_of,
    panels,
    register_app,
    registered_apps,
)
from sifu.core.permissions import Perm
from sifu.web.navigation import navigation_for

D = dt.date
SIFU = Path(__file__).resolve().parents[2] / "sifu"
# The apps every app may build on (the kernel, accounts, the registry, and shared services such as
# background jobs and the record of personal data seen), and the composing ones; every other sifu
# app is a stage app.
FOUNDATION = {"core", "accounts", "registry", "jobs", "privacy", "outcomes", "api", "web"}


def sifu_labels() -> list[str]:
    return [c.label for c in apps.get_app_configs() if c.name.startswith("sifu.")]


def _explode(user, today):
    raise AssertionError("computed for a user without the permission")


# --- registration and order ----------------------------------------------------------------------------


def test_every_sifu_app_registers_its_contributions():
    assert set(sifu_labels()) <= registered_apps()


def test_an_app_without_contributions_module_contributes_nothing():
    config = SimpleNamespace(name="sifu.core.tests", label="nonexistent_stage")  # no contributions.py there
    before = {kind: contributed(kind) for kind in (NavItem, HomeSection, FigureSection, OrganizationPanel)}
    try:
        register_app(config)
        assert "nonexistent_stage" in registered_apps()
        assert {kind: contributed(kind) for kind in before} == before
    finally:
        contributions._registered.pop("nonexistent_stage", None)
        contributions._cache.clear()


def test_order_is_by_order_then_app_order_then_declaration():
    # accounts comes before registry in INSTALLED_APPS.
    a1 = NavItem(Stage.SUPPORT, "a1", "web:home", "", "/x/", order=50)
    a2 = NavItem(Stage.SUPPORT, "a2", "web:home", "", "/x/", order=50)
    r1 = NavItem(Stage.SUPPORT, "r1", "web:home", "", "/x/", order=50)
    r0 = NavItem(Stage.SUPPORT, "r0", "web:home", "", "/x/", order=10)
    with contributions_of("registry", [r1, r0]), contributions_of("accounts", [a1, a2]):
        support = [item.label for item in contributed(NavItem) if item.stage == Stage.SUPPORT]
    assert support == ["r0", "a1", "a2", "r1"]
    assert all(item.stage != Stage.SUPPORT for item in contributed(NavItem))  # restored afterwards


def test_the_incubate_group_interleaves_registry_and_incubation_items(office_admin):
    groups = {g["key"]: [str(i["label"]) for i in g["items"]] for g in navigation_for(office_admin, "/office/")}
    assert groups["incubate"] == [
        "Needs",
        "Gap map",
        "Incubation cases",
        "Filings",
        "Leader candidates",
        "Organizations",
        "People",
        "Service plans",
        "Import",
    ]
    assert list(groups) == ["incubate", "outcomes", "admin"]  # empty stages are not shown


# --- permission filtering ---------------------------------------------------------------------------------


def test_navigation_shows_only_items_the_user_may_use(world, outsider, office_admin):
    item = NavItem(Stage.EMPOWER, "Patrols", "web:home", Perm.ACCOUNTS_MANAGE, "/office/patrols/")
    with contributions_of("api", [item]):
        assert "empower" not in {g["key"] for g in navigation_for(outsider, "/office/")}
        empower = next(g for g in navigation_for(office_admin, "/office/patrols/1/") if g["key"] == "empower")
    assert empower["items"] == [{"label": "Patrols", "url": reverse("web:home"), "current": True}]


def test_home_blocks_are_not_computed_for_users_without_the_permission(world, outsider, office_admin):
    block = HomeTodos(name="patrols", perm=Perm.ACCOUNTS_MANAGE, compute=_explode, todos=lambda d, u: [], empty=0)
    with contributions_of("api", [block]):
        context, shown = contributions.office_home(outsider, D(2024, 5, 1))
    assert context["patrols"] == 0 and shown == []


def test_a_todo_group_that_is_all_clear_can_hide_itself(world, office_admin):
    def block(name: str, count: int, hide: bool) -> HomeTodos:
        return HomeTodos(
            name=name,
            perm="",
            compute=lambda user, today: count,
            todos=lambda n, user: [Todo(name, name, n, "/")],
            template="web/_home_tiles.html",
            hide_when_clear=hide,
        )

    with contributions_of("api", [block("clear", 0, True), block("shown", 0, False), block("due", 2, True)]):
        context, shown = contributions.office_home(office_admin, D(2024, 5, 1))
    assert (context["clear"], context["shown"], context["due"]) == (0, 0, 2)
    todos = [b.items[0] for b in shown if b.items and isinstance(b.items[0], Todo)]
    assert [todo.key for todo in todos if todo.key in {"clear", "shown", "due"}] == ["shown", "due"]
    assert todos[-1].key == "due" and not todos[-1].clear


# --- panels -----------------------------------------------------------------------------------------------


def test_a_panel_that_returns_none_is_hidden(world, office_admin):
    request = RequestFactory().get("/")
    request.user = office_admin
    hidden = OrganizationPanel(template="x.html", context=lambda request, obj: None, order=1)
    shown = OrganizationPanel(template="y.html", context=lambda request, obj: {"obj": obj}, order=2)
    with contributions_of("incubation", [hidden, shown]):
        result = panels(OrganizationPanel, request, world.org_a)
    assert [(p.template, p.context) for p in result] == [("y.html", {"obj": world.org_a})]


def test_contributed_panels_render_on_the_organization_and_person_pages(
    client, world, office_admin, tmp_path, settings
):
    (tmp_path / "probe.html").write_text('<p class="probe">{{ probe }}</p>', encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    person = world.org_a.memberships.select_related("person").first().person
    org_panel = OrganizationPanel(template="probe.html", context=lambda r, o: {"probe": f"org {o.pk}"})
    person_panel = contributions.PersonPanel(template="probe.html", context=lambda r, p: {"probe": f"person {p.pk}"})
    profile = PublicSection(page="organization", template="probe.html", context=lambda r, o: {"probe": "pub"})
    client.force_login(office_admin)
    with contributions_of("api", [org_panel, person_panel, profile]):
        org_page = client.get(reverse("registry:organization-detail", args=[world.org_a.pk])).content.decode()
        person_page = client.get(reverse("registry:person-detail", args=[person.pk])).content.decode()
        public = client.get(reverse("registry:public-organization", args=[world.org_a.pk])).content.decode()
    assert f'<p class="probe">org {world.org_a.pk}</p>' in org_page
    assert f'<p class="probe">person {person.pk}</p>' in person_page
    assert '<p class="probe">pub</p>' in public


# --- figures ----------------------------------------------------------------------------------------------


def test_period_has_one_meaning_of_as_of_and_start():
    period = Period.ending(D(2024, 4, 30))
    assert (period.start, period.end, period.as_of) == (D(2024, 1, 1), D(2024, 4, 30), D(2024, 4, 30))
    assert Period.ending(D(2024, 4, 30), D(2023, 7, 1)).start == D(2023, 7, 1)
    with pytest.raises(ValueError, match="after it ends"):
        Period(D(2024, 5, 1), D(2024, 4, 30))


def test_a_contributed_figure_section_adds_its_keys_with_the_same_period(world):
    from sifu.outcomes.selectors import outcomes

    seen = []

    def compute(ctx):
        seen.append(ctx.period)
        return {"patrols": {"count": 0}}

    with contributions_of("api", [FigureSection(key="patrols", compute=compute, order=99)]):
        figures = outcomes(as_of=D(2024, 4, 30), area=world.subdistrict, start=D(2024, 2, 1))
    assert figures["patrols"] == {"count": 0}
    assert list(figures)[-1] == "patrols"
    assert seen == [Period(D(2024, 2, 1), D(2024, 4, 30))]


# --- web and registry name no stage app --------------------------------------------------------------------


def _source_files(app: str):
    for path in sorted((SIFU / app).rglob("*")):
        if path.suffix in {".py", ".html"} and "tests" not in path.parts and "migrations" not in path.parts:
            yield path


@pytest.mark.parametrize("app", ["web", "registry"])
def test_web_and_registry_name_no_stage_app(app):
    """No import of a stage app, no URL name, template path or permission code of one. (The plain
    word is not searched: the registry's own lifecycle has a state "incubating" and an action
    "start_incubation", which are the registry's, not the incubation app's.)"""
    stages = [label for label in sifu_labels() if label not in FOUNDATION]
    assert "incubation" in stages
    pattern = re.compile(
        "|".join(rf"sifu\.{label}\b|[\"']{label}[:/.]|\bperms\.{label}\b|load [\w ]*\bfilings\b" for label in stages)
    )
    found = [
        f"{path.relative_to(SIFU)}:{n}: {line.strip()}"
        for path in _source_files(app)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_a_contributions_module_that_is_never_registered_fails_the_checks():
    from sifu.core.checks import check_contributions_registered

    assert check_contributions_registered(None) == []
    saved = contributions._registered.pop("incubation")
    try:
        errors = check_contributions_registered(None)
    finally:
        contributions._registered["incubation"] = saved
        contributions._cache.clear()
    assert [e.id for e in errors] == ["sifu.E002"] and "sifu.incubation.contributions" in errors[0].msg
