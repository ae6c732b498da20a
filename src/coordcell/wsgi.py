"""WSGI entry point (``coordcell serve`` and ``coordcell demo`` build the same application
in ``core.server``): Django, behind the request-body limits of ``core.bodies``.

It refuses to load without a configured secret key (``COORDCELL_SECRET_KEY`` or its
``_FILE``), whichever server loads it.
"""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from coordcell.core.bodies import BoundedRequestBodies
from coordcell.core.env import SERVING_NEEDS_KEY

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordcell.settings")
if not settings.SECRET_KEY_CONFIGURED:
    raise ImproperlyConfigured(SERVING_NEEDS_KEY)
application = BoundedRequestBodies(get_wsgi_application())
