"""The running demo at its edges: error pages, static files, slow and large requests.

These talk to the real ``coordcell demo`` (gunicorn in a subprocess) over sockets, since
the Django test client never goes through the server or its WSGI wrapper.
"""

from __future__ import annotations

import pytest

from tests.e2e.demo_server import Demo

pytestmark = pytest.mark.xdist_group("demo")


def test_it_answers_a_missing_page_with_the_apps_page_not_a_debug_page(demo: Demo) -> None:
    status, _, body = demo.session().request("/no-such-page/")
    assert status == 404
    assert "<h1>Page not found</h1>" in body
    assert "URLconf" not in body
    assert "DEBUG" not in body


def test_it_serves_static_files_with_debug_off(demo: Demo) -> None:
    session = demo.session()
    status, _, css = session.request("/static/coordcell/coordcell.css")
    assert status == 200
    assert ".topbar" in css
    # Leaflet comes from the django-leaflet package's folder, not from a collected copy.
    status, _, script = session.request("/static/leaflet/leaflet.js")
    assert status == 200
    assert "Leaflet" in script
