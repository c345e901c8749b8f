from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "sifu.registry"
    label = "registry"
    verbose_name = _("Organization registry")

    def ready(self) -> None:
        from sifu.core.contributions import register_app

        register_app(self)  # this app's contributions.py (sifu.core.contributions)
