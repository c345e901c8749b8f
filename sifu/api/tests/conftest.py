import pytest


@pytest.fixture(autouse=True)
def _english_and_fast_hashing(settings):
    """Assert on the English source strings (the zh-Hans catalogue comes later), and hash test passwords fast."""
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
