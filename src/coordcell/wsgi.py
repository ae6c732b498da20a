"""WSGI entry point (``coordcell serve`` runs it under gunicorn).

It refuses to load without a configured secret key (``COORDCELL_SECRET_KEY`` or its
``_FILE``), whichever server loads it.
"""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from coordcell.core.env import SERVING_NEEDS_KEY

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordcell.settings")
if not settings.SECRET_KEY_CONFIGURED:
    raise ImproperlyConfigured(SERVING_NEEDS_KEY)
application = get_wsgi_application()
