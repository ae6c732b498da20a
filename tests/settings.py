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
# The rules engine's parallel kernels run on numba's OpenMP threads, which by default spin
# for a while after each kernel waiting for the next one: with two test workers on two
# cores, that spinning took more CPU than the kernels themselves (tens of milliseconds per
# single-incident assessment). Idle threads sleep instead; the answers are the same. Set
# before the first kernel runs (OpenMP reads it once), and inherited by the demo and the
# servers the e2e tests start.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from coordcell.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (whitenoise warns otherwise)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
