"""What jobs contributes to the shared pages (``sifu.core.contributions``): its URLs and the
office home's "Your recent jobs" (one query, for every signed-in user), so a job can be found
again after leaving its page."""

from sifu.core.contributions import HomeSection, UrlMount
from sifu.jobs.selectors import recent_jobs

CONTRIBUTIONS = (
    UrlMount("", "sifu.jobs.urls"),
    HomeSection(
        name="recent_jobs",
        perm="",
        compute=lambda user, today: recent_jobs(user) or None,
        template="jobs/_recent.html",
        order=5,
    ),
)
