from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "sifu.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from sifu.core.contributions import register_app

        register_app(self)  # this app's contributions.py (sifu.core.contributions)
