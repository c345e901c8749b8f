"""Writes for incubation, one module per topic; views, imports and the demo call these only.

``needs`` (screening and matching), ``cases`` (incubation cases and coaching), ``filings`` (the
filing workflow), ``candidates`` (leader candidates, 三强) and ``plans`` (service plans). The needs
services are re-exported here, as they were before the split.

The larger topics are split further by subtopic, their names re-exported by the topic module
(call them ``filings.x`` / ``cases.x``): ``filing_flow``, ``filing_changes``, ``filing_documents``,
``filing_decisions``; ``case_flow``, ``case_filings``, ``case_records``.
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
