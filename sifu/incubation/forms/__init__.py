"""Forms of the incubation pages, one module per topic (needs, cases, filings, candidates, plans)."""

from sifu.incubation.forms.needs import (
    DeclineForm,
    MergeForm,
    NeedFilterForm,
    NeedForm,
    OrganizationLinkForm,
    PublicNeedForm,
)

__all__ = ["DeclineForm", "MergeForm", "NeedFilterForm", "NeedForm", "OrganizationLinkForm", "PublicNeedForm"]
