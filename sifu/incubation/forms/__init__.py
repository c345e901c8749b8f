"""Forms of the incubation pages, one module per topic (needs, cases, filings, candidates, plans)."""

from sifu.incubation.forms.cases import (
    CaseCloseForm,
    CaseEditForm,
    CaseFilterForm,
    CaseOpenForm,
    CaseStartForm,
    CoachingNoteForm,
    NeedPickForm,
)
from sifu.incubation.forms.needs import (
    DeclineForm,
    MergeForm,
    NeedEditForm,
    NeedFilterForm,
    NeedForm,
    OrganizationLinkForm,
    PublicNeedForm,
)

__all__ = [
    "CaseCloseForm",
    "CaseEditForm",
    "CaseFilterForm",
    "CaseOpenForm",
    "CaseStartForm",
    "CoachingNoteForm",
    "DeclineForm",
    "MergeForm",
    "NeedEditForm",
    "NeedFilterForm",
    "NeedForm",
    "NeedPickForm",
    "OrganizationLinkForm",
    "PublicNeedForm",
]
