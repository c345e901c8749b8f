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
from sifu.incubation import services as incubation
from sifu.incubation.services import candidates, cases, filings, needs, plans
from sifu.registry import services as registry
from sifu.registry.services import bulk, lifecycle, memberships, organizations, people


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


# registry.services is a package by topic: its services live in (and are checked in) its modules.
SERVICE_MODULES = (
    organizations,
    lifecycle,
    people,
    memberships,
    bulk,
    accounts,
    needs,
    cases,
    candidates,
    filings,
    plans,
)


@pytest.mark.parametrize("module", SERVICE_MODULES, ids=lambda m: m.__name__)
def test_no_service_accepts_none_as_the_actor(module):
    """Every public service names its actor ``by`` without a default and without ``None`` in its type."""
    checked = 0
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("_") or function.__module__ != module.__name__:
            continue
        parameter = inspect.signature(function).parameters.get("by")
        if parameter is None:
            continue
        checked += 1
        assert parameter.default is inspect.Parameter.empty, f"{module.__name__}.{name}: `by` has a default"
        assert "None" not in str(parameter.annotation), f"{module.__name__}.{name}: `by` may be None"
    assert checked, f"{module.__name__} has no service taking `by`"


def test_incubation_services_package_is_covered():
    """The parametrized check above lists every module of the incubation services."""
    import pkgutil

    listed = {m.__name__ for m in SERVICE_MODULES}
    for info in pkgutil.iter_modules(incubation.__path__):
        assert f"{incubation.__name__}.{info.name}" in listed
