from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sifu.core"
    label = "core"
    verbose_name = "Sifu core"

    def ready(self) -> None:
        # Registers every permission code with `rules`, so `user.has_perm(code, obj)` works.
        from sifu.core import permissions  # noqa: F401
