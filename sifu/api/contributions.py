"""What the API contributes (``sifu.core.contributions``): its URLconf at /api/v1/."""

from sifu.core.contributions import UrlMount

CONTRIBUTIONS = (UrlMount("api/v1/", "sifu.api.urls"),)
