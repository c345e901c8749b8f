from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "sifu.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from sifu.core.contributions import register_app

        register_app(self)  # this app's contributions.py (sifu.core.contributions)
