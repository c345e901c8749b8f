from sifu.registry.views import admins, imports, memberships, organizations, people, public

app_name = "registry"

# Each views module declares its own routes; office routes live under /office/, public ones at /.
urlpatterns = [*organizations.urls, *people.urls, *memberships.urls, *admins.urls, *imports.urls, *public.urls]
