"""What outcomes contributes to the shared pages (``sifu.core.contributions``): the dashboard's
navigation item. (Its figures are composed from the other apps' ``FigureSection``s.)"""

from django.utils.translation import gettext_lazy as _

from sifu.core.contributions import NavItem, Stage, UrlMount
from sifu.core.permissions import Perm

CONTRIBUTIONS = (
    UrlMount("office/dashboard/", "sifu.outcomes.urls"),
    NavItem(Stage.OUTCOMES, _("Dashboard"), "outcomes:dashboard", Perm.OUTCOMES_VIEW, "/office/dashboard/", 10),
)
