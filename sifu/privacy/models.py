"""The record of unmasked views of personal information (DESIGN.md §4.7).

``SensitiveView.person`` points at ``registry.Person`` by a lazy reference: this app sits below the
registry (core → accounts → privacy → registry → stage apps) and imports no registry code.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SensitiveView(models.Model):
    """Each time a user sees a person's phone or ID number unmasked, or exports them unmasked."""

    class Field(models.TextChoices):
        PHONE = "phone", _("Phone")
        ID_NUMBER = "id_number", _("ID number")
        EXPORT = "export", _("Unmasked export")

    # The fields of a person that ``services.person_reveal`` shows in full.
    REVEALABLE = (Field.PHONE, Field.ID_NUMBER)

    user = models.ForeignKey("accounts.User", verbose_name=_("user"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField(_("field"), max_length=16, choices=Field.choices)
    context = models.CharField(_("context"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("unmasked view")
        verbose_name_plural = _("unmasked views")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "at"], name="privacy_view_person_idx"),
            models.Index(fields=["user", "at"], name="privacy_view_user_idx"),
            models.Index(fields=["at"], name="privacy_view_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.field} of {self.person_id} at {self.at:%Y-%m-%d %H:%M}"
