"""The incubation demo (issue #3 point 9): the case study's incubation stories and a subdistrict at work.

Loaded on top of the registry demo (``sifu.registry.demo``), by ``python manage.py seed_demo``
(``sifu.web``), in the same transaction:

- ``needs``: the needs behind the three stories (荔芳's 网红餐饮 and takeaway shops, 南园村's riders,
  月亮湾花园's truck drivers) and behind other organizations; open needs, gaps, resident submissions
  awaiting screening, a merged and a declined one;
- ``cases``: the stories' incubation cases (recorded from paper), and cases at every stage of the
  workflow: preparing, incubating, filing under the community's check, awaiting the subdistrict
  (one overdue), returned, recently filed, closed;
- ``renewals``: three-year filings renewed through the filing workflow since 2018, a few left in
  the renewal window, a few lapsed, two renewals in progress; plus a change and a deregistration;
- ``plans``: the service center's three-year plans (《三年服务规划》) with goals and milestones;
- ``load``: all of it written through the services. Deterministic for a given day: things in
  progress are dated from the day it is loaded, history at fixed dates.
"""

from sifu.incubation.demo.load import IncubationResult, is_loaded, seed_incubation_demo

__all__ = ["IncubationResult", "is_loaded", "seed_incubation_demo"]
