from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sifu.api"
    label = "api"
    verbose_name = "API"
