from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubationConfig(AppConfig):
    name = "sifu.incubation"
    label = "incubation"
    verbose_name = _("Incubation")

    def ready(self) -> None:
        from sifu.core.contributions import register_app

        register_app(self)  # this app's contributions.py (sifu.core.contributions)
