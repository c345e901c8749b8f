"""What ``web`` itself contributes (``sifu.core.contributions``): the public home's four stages."""

from sifu.core.contributions import PublicSection, UrlMount

CONTRIBUTIONS = (
    UrlMount("", "sifu.web.urls"),
    PublicSection(page="home", template="web/_stages.html", context=lambda request, obj: {}, order=50),
)
