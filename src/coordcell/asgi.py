"""ASGI entry point, for deployments that prefer an ASGI server.

Like coordcell.wsgi, it refuses to load without a configured secret key.
"""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

from coordcell.core.env import SERVING_NEEDS_KEY

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordcell.settings")
# Under ASGI each request's synchronous code runs on a thread of its own, so a connection
# kept for the next request is left behind instead (Django's documentation: persistent
# connections are for WSGI). Each request opens and closes its own.
os.environ["COORDCELL_DB_CONN_MAX_AGE"] = "0"
if not settings.SECRET_KEY_CONFIGURED:
    raise ImproperlyConfigured(SERVING_NEEDS_KEY)
application = get_asgi_application()
