"""Extension points: what each installed app contributes to the pages that several apps share.

Every app declares its contributions in ONE place, its ``contributions.py``: a module-level
``CONTRIBUTIONS`` tuple of the frozen dataclasses below. Its ``AppConfig.ready`` registers them
with ``register_app(self)`` (in the spirit of pretix's plugin signals, but typed and without a
receiver per page). The shared pages (``web``'s navigation and homes, the ``registry``'s
organization and person pages, the public site, ``outcomes``' figures and dashboard) read them
with ``contributed(Kind)``, so they name no stage app; adding a stage means adding an app to
``INSTALLED_APPS`` and nothing else.

Order is deterministic: by ``order`` (lower first), then by the contributing app's place in
``INSTALLED_APPS``, then by the order within its ``CONTRIBUTIONS``. Anything that costs a query
is a callable, called only for users holding the contribution's permission, once per page.

The mechanism is ``registry`` (``register_app``, ``contributed``, ``contributions_of``), the
kinds of contribution are ``kinds``; every name is re-exported here.
"""

from sifu.core.contributions.kinds import STAGE_LABELS as STAGE_LABELS
from sifu.core.contributions.kinds import ApiRoute as ApiRoute
from sifu.core.contributions.kinds import DashboardContext as DashboardContext
from sifu.core.contributions.kinds import DemoPart as DemoPart
from sifu.core.contributions.kinds import DemoResult as DemoResult
from sifu.core.contributions.kinds import FigureContext as FigureContext
from sifu.core.contributions.kinds import FigureSection as FigureSection
from sifu.core.contributions.kinds import HomeBlock as HomeBlock
from sifu.core.contributions.kinds import HomeSection as HomeSection
from sifu.core.contributions.kinds import HomeTiles as HomeTiles
from sifu.core.contributions.kinds import HomeTodos as HomeTodos
from sifu.core.contributions.kinds import Label as Label
from sifu.core.contributions.kinds import NavItem as NavItem
from sifu.core.contributions.kinds import OrganizationAction as OrganizationAction
from sifu.core.contributions.kinds import OrganizationPanel as OrganizationPanel
from sifu.core.contributions.kinds import Panel as Panel
from sifu.core.contributions.kinds import Period as Period
from sifu.core.contributions.kinds import PersonPanel as PersonPanel
from sifu.core.contributions.kinds import PublicLink as PublicLink
from sifu.core.contributions.kinds import PublicSection as PublicSection
from sifu.core.contributions.kinds import ShownBlock as ShownBlock
from sifu.core.contributions.kinds import ShownPanel as ShownPanel
from sifu.core.contributions.kinds import Stage as Stage
from sifu.core.contributions.kinds import Tile as Tile
from sifu.core.contributions.kinds import Todo as Todo
from sifu.core.contributions.kinds import Urgency as Urgency
from sifu.core.contributions.kinds import UrlMount as UrlMount
from sifu.core.contributions.kinds import default_start as default_start
from sifu.core.contributions.kinds import holds as holds
from sifu.core.contributions.kinds import office_home as office_home
from sifu.core.contributions.kinds import panels as panels
from sifu.core.contributions.kinds import public_sections as public_sections
from sifu.core.contributions.registry import _cache as _cache
from sifu.core.contributions.registry import _registered as _registered
from sifu.core.contributions.registry import contributed as contributed
from sifu.core.contributions.registry import contributions_of as contributions_of
from sifu.core.contributions.registry import register_app as register_app
from sifu.core.contributions.registry import registered_apps as registered_apps
