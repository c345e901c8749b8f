"""What privacy contributes to the shared pages (``sifu.core.contributions``): its URLs and the
log of unmasked views under Administration."""

from django.utils.translation import gettext_lazy as _

from sifu.core.contributions import NavItem, Stage, UrlMount
from sifu.core.permissions import Perm

CONTRIBUTIONS = (
    UrlMount("", "sifu.privacy.urls"),
    NavItem(Stage.ADMIN, _("Personal data views"), "privacy:view-list", Perm.PRIVACY_LOG_VIEW, "/office/privacy/", 30),
)
