app_name = "registry"

# Filled by the registry's office and public views.
urlpatterns: list = []
