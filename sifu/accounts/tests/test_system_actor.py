"""The system actor: the one account that stands for the demo loader, commands, jobs and public
submissions. Services always receive an actor; the system passes their checks as a superuser that
cannot sign in, is listed nowhere, holds no roles, and is what history records."""

from __future__ import annotations

import inspect

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse

from sifu.accounts import services as accounts
from sifu.accounts.models import User
from sifu.accounts.services import system_actor
from sifu.core.permissions import Role
from sifu.registry import services as registry


def test_one_system_actor_created_on_first_use_and_reused(db):
    first = system_actor()
    assert first.is_system and first.is_superuser and not first.has_usable_password()
    assert system_actor().pk == first.pk
    assert User.objects.filter(is_system=True).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="another-system", is_system=True)


def test_history_records_the_system_actor(world):
    person = registry.person_create(name="李四", phone="13800138000", community=world.community_a, by=system_actor())
    version = person.history.get()
    assert version.history_user == system_actor()
    assert str(version.history_user) == "System"


def test_the_system_actor_cannot_sign_in(db, rf: RequestFactory):
    user = system_actor()
    user.set_password("whatever-2024")  # even with a password somebody set by hand
    user.save()
    request = rf.post("/login/")
    assert authenticate(request, username=user.username, password="whatever-2024") is None


def test_the_system_actor_is_nobodys_account_and_holds_no_roles(client, office_admin, world):
    system = system_actor()
    client.force_login(office_admin)
    assert system.username not in client.get(reverse("accounts:user-list")).content.decode()
    assert client.get(reverse("accounts:user-detail", args=[system.pk])).status_code == 404
    with pytest.raises(ValidationError, match="holds no roles"):
        accounts.role_grant(user=system, role=Role.COMMUNITY_STAFF, area=world.community_a, by=office_admin)


def _service_modules():
    """Every module of the service packages (registry, incubation) and accounts' services, found by
    walking the packages, so a module added by a later split is checked too."""
    import importlib
    import pkgutil

    from sifu.incubation import services as incubation_services
    from sifu.registry import services as registry_services

    modules = [accounts]
    for package in (registry_services, incubation_services):
        modules += [
            importlib.import_module(f"{package.__name__}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__)
        ]
    return modules


SERVICE_MODULES = _service_modules()


def test_no_service_accepts_none_as_the_actor():
    """Every public service names its actor ``by`` without a default and without ``None`` in its type."""
    checked: dict[str, int] = {}
    for module in SERVICE_MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            parameter = inspect.signature(function).parameters.get("by")
            if parameter is None:
                continue
            checked[module.__name__] = checked.get(module.__name__, 0) + 1
            assert parameter.default is inspect.Parameter.empty, f"{module.__name__}.{name}: `by` has a default"
            assert "None" not in str(parameter.annotation), f"{module.__name__}.{name}: `by` may be None"
    # The walk found the services: every package's main modules hold some.
    for expected in (
        "sifu.accounts.services",
        "sifu.registry.services.organizations",
        "sifu.registry.services.lifecycle",
        "sifu.registry.services.people",
        "sifu.registry.services.memberships",
        "sifu.registry.services.bulk",
        "sifu.incubation.services.needs",
        "sifu.incubation.services.cases",
        "sifu.incubation.services.candidates",
        "sifu.incubation.services.filings",
        "sifu.incubation.services.filing_decisions",
        "sifu.incubation.services.plans",
    ):
        assert checked.get(expected), f"{expected} has no service taking `by`"
