"""Deployment checks (`manage.py check --deploy`): refuse the demo's public secret key."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    from config.settings import _DEV_KEY

    if settings.SECRET_KEY == _DEV_KEY:
        return [
            Error(
                "SIFU_SECRET_KEY is not set: the demo's public key is in use.",
                hint="Set SIFU_SECRET_KEY to a long random value (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(50))') before serving real data.",
                id="sifu.E001",
            )
        ]
    return []
