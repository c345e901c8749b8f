"""What ``web`` itself contributes (``sifu.core.contributions``): the public home's four stages."""

from sifu.core.contributions import PublicSection

CONTRIBUTIONS = (PublicSection(page="home", template="web/_stages.html", context=lambda request, obj: {}, order=50),)
