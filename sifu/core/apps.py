from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Django 6.1's blank choice of required selects; its own zh_Hans catalogue lacks it, ours has it.
gettext_noop("- Select an option -")


class CoreConfig(AppConfig):
    name = "sifu.core"
    label = "core"
    verbose_name = _("Sifu core")

    def ready(self) -> None:
        from sifu.core.contributions import register_app

        register_app(self)  # this app's contributions.py (sifu.core.contributions)
        # Registers every permission code with `rules`, so `user.has_perm(code, obj)` works.
        from sifu.core import checks, permissions  # noqa: F401
