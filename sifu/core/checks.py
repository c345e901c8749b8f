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


@register()
def check_contributions_registered(app_configs, **kwargs):
    """An app with a ``contributions.py`` whose ``AppConfig.ready`` does not register it would
    silently contribute nothing (sifu.core.contributions)."""
    import importlib.util

    from django.apps import apps

    from sifu.core.contributions import registered_apps

    done = registered_apps()
    return [
        Error(
            f"{config.name}.contributions is never registered, so the app contributes nothing.",
            hint=f"Call sifu.core.contributions.register_app(self) in {type(config).__name__}.ready().",
            id="sifu.E002",
        )
        for config in apps.get_app_configs()
        if config.label not in done
        and config.name.startswith("sifu.")
        and importlib.util.find_spec(f"{config.name}.contributions") is not None
    ]
