from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal data in one place (DESIGN.md §4.7): the record of unmasked views and the services
    that reveal a person's phone or ID number. Sits between accounts and registry: it imports
    ``core`` and ``accounts`` only and names ``registry.Person`` by a lazy reference."""

    name = "sifu.privacy"
    label = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from sifu.core.contributions import register_app

        register_app(self)  # this app's contributions.py (sifu.core.contributions)
