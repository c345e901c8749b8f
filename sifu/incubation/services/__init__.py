"""Writes for incubation, one module per topic; views, imports and the demo call these only.

``needs`` (screening and matching), ``cases`` (incubation cases and coaching), ``filings`` (the
filing workflow), ``candidates`` (leader candidates, 三强) and ``plans`` (service plans). The needs
services are re-exported here, as they were before the split.
"""

from sifu.incubation.services.needs import (
    need_accept,
    need_decline,
    need_link_organization,
    need_merge,
    need_record,
    need_submit_public,
    need_unlink_organization,
    need_update,
)

__all__ = [
    "need_accept",
    "need_decline",
    "need_link_organization",
    "need_merge",
    "need_record",
    "need_submit_public",
    "need_unlink_organization",
    "need_update",
]
