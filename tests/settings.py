"""Test settings: the product's settings with a fixed key, fast hashing and a local cache.

``DATABASE_URL`` (if set) still selects PostgreSQL, so the same suite runs on both.
"""

import os
import tempfile

os.environ.setdefault("COORDCELL_SECRET_KEY", "test-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("COORDCELL_DATA_DIR", tempfile.mkdtemp(prefix="coordcell-test-"))
os.environ.setdefault("COORDCELL_REQUIRE_MFA", "0")

from coordcell.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (whitenoise warns otherwise)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
