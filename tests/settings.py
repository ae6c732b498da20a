"""Test settings: the product's settings with a fixed key, fast hashing and a local cache.

``DATABASE_URL`` (if set) still selects PostgreSQL, so the same suite runs on both.
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("COORDCELL_SECRET_KEY", "test-secret-key-not-for-production-use-0123456789")
if "COORDCELL_DATA_DIR" not in os.environ:
    _data_dir = tempfile.mkdtemp(prefix="coordcell-test-")
    atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)
    os.environ["COORDCELL_DATA_DIR"] = _data_dir
os.environ.setdefault("COORDCELL_REQUIRE_MFA", "0")

from coordcell.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (whitenoise warns otherwise)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
