from sifu.incubation.views import candidates, cases, filings, gaps, needs, plans, public

app_name = "incubation"

# Office routes live under /office/, public ones at /.
urlpatterns = [*needs.urls, *cases.urls, *gaps.urls, *candidates.urls, *plans.urls, *filings.urls, *public.urls]
