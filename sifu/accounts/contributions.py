"""What accounts contributes to the shared pages (``sifu.core.contributions``): its office
navigation items under Administration."""

from django.utils.translation import gettext_lazy as _

from sifu.core.contributions import NavItem, Stage, UrlMount
from sifu.core.permissions import Perm

CONTRIBUTIONS = (
    UrlMount("", "sifu.accounts.urls"),
    NavItem(Stage.ADMIN, _("Accounts and roles"), "accounts:user-list", Perm.ACCOUNTS_MANAGE, "/office/accounts/", 10),
    NavItem(Stage.ADMIN, _("Areas"), "accounts:area-list", Perm.AREA_MANAGE, "/office/areas/", 20),
)
