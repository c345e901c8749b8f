"""The site's routes plus a few that fail on purpose, for the error page tests (test_errors.py)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401 - the handlers under test
from config.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("boom")


def database_down(request):
    raise OperationalError("could not connect to server")


def refused(request):
    raise PermissionDenied("Only the subdistrict may do this.")


def suspicious(request):
    raise SuspiciousOperation("tampered")


urlpatterns = [
    *site_urlpatterns,
    path("test-errors/boom/", boom),
    path("office/test-errors/boom/", boom),
    path("office/test-errors/database-down/", database_down),
    path("test-errors/refused/", refused),
    path("office/test-errors/refused/", refused),
    path("test-errors/suspicious/", suspicious),
]
