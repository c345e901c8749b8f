import pytest
from django.core.checks import run_checks

from config.settings import _DEV_KEY

# Model checks ask the database what it supports (JSONField), so they need a connection.
pytestmark = pytest.mark.django_db


def _ids(**kwargs):
    return {m.id for m in run_checks(include_deployment_checks=True, **kwargs)}


def test_deploy_check_refuses_the_demo_secret_key(settings):
    settings.SECRET_KEY = _DEV_KEY
    assert "sifu.E001" in _ids()


def test_deploy_check_accepts_a_real_secret_key(settings):
    settings.SECRET_KEY = "x" * 60
    assert "sifu.E001" not in _ids()


def test_plain_checks_do_not_run_it(settings):
    settings.SECRET_KEY = _DEV_KEY
    assert "sifu.E001" not in {m.id for m in run_checks()}
