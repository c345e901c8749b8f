"""The shared view plumbing: the permission decorator and calling a service from a form."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from sifu.core.permissions import Perm
from sifu.core.views import attempt, office_view


@office_view(Perm.OUTCOMES_VIEW, methods=("GET", "POST"))
def figures(request, pk):
    return HttpResponse(f"figures {pk}")


def test_office_view_sends_anonymous_visitors_to_the_login_page(rf: RequestFactory):
    request = rf.get("/office/x/")
    request.user = AnonymousUser()
    response = figures(request, pk=1)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_office_view_requires_the_permission_somewhere(rf: RequestFactory, outsider, community_staff):
    request = rf.get("/office/x/")
    request.user = outsider
    with pytest.raises(PermissionDenied):
        figures(request, pk=1)
    request.user = community_staff
    assert figures(request, pk=7).content == b"figures 7"


def test_office_view_allows_only_its_methods(rf: RequestFactory, community_staff):
    request = rf.delete("/office/x/")
    request.user = community_staff
    assert figures(request, pk=1).status_code == 405


class NameForm(forms.Form):
    name = forms.CharField()
    password1 = forms.CharField(required=False)


def test_attempt_returns_what_the_service_returns():
    form = NameForm({"name": "x"})
    assert form.is_valid()
    assert attempt(form, lambda: 42) == 42
    assert not form.errors


def test_attempt_puts_a_refusal_on_the_form_by_field_or_on_top():
    form = NameForm({"name": "x"})
    form.is_valid()

    def refuse():
        raise ValidationError({"name": "Taken.", "password": "Too short.", "community": "Elsewhere."})

    assert attempt(form, refuse, fields={"password": "password1"}) is None
    assert form.errors["name"] == ["Taken."]
    assert form.errors["password1"] == ["Too short."]
    assert form.non_field_errors() == ["Elsewhere."]


def test_attempt_shows_a_permission_refusal_above_the_form():
    form = NameForm({"name": "x"})
    form.is_valid()

    def refuse():
        raise PermissionDenied("Not in your area.")

    assert attempt(form, refuse) is None
    assert form.non_field_errors() == ["Not in your area."]
