from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sifu.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from sifu.core.contributions import register_app

        register_app(self)  # this app's contributions.py (sifu.core.contributions)
