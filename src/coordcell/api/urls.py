"""URLs of the API: version 1, routed to each app's ``api`` module, and the schema and docs.

The endpoints live next to their apps; this module only puts them under ``/api/v1/`` in
the ``api`` URL namespace (``reverse("api:cases")``).
"""

from django.urls import include, path, re_path

from coordcell.agreements import api as agreements
from coordcell.api import views
from coordcell.cases import alerts_api as alerts
from coordcell.cases import api as cases
from coordcell.cases import exchange_api as exchanges
from coordcell.cases import roster_api
from coordcell.deconfliction import api as deconfliction
from coordcell.economy import api as economy
from coordcell.economy import exports_api as economy_exports
from coordcell.humanitarian import api as humanitarian
from coordcell.incidents import api as incidents
from coordcell.notify import api as notify
from coordcell.parties import api as parties
from coordcell.positions import api as positions
from coordcell.proposals import api as proposals
from coordcell.record import api as record
from coordcell.sharing import api as sharing
from coordcell.sharing import stix_api
from coordcell.talks import api as talks
from coordcell.verification import api as verification

app_name = "api"
urlpatterns = [
    path("v1/", include(parties.urlpatterns)),
    path("v1/", include(agreements.urlpatterns)),
    path("v1/", include(incidents.urlpatterns)),
    path("v1/", include(cases.urlpatterns)),
    path("v1/", include(exchanges.urlpatterns)),
    path("v1/", include(roster_api.urlpatterns)),
    path("v1/", include(deconfliction.urlpatterns)),
    path("v1/", include(alerts.urlpatterns)),
    path("v1/", include(notify.urlpatterns)),
    path("v1/", include(record.urlpatterns)),
    path("v1/", include(verification.urlpatterns)),
    path("v1/", include(positions.urlpatterns)),
    path("v1/", include(economy.urlpatterns)),
    path("v1/", include(sharing.urlpatterns)),
    path("v1/", include(talks.urlpatterns)),
    # STIX 2.1 export/import and the TAXII 2.1 server (issue 14)
    path("v1/", include(stix_api.urlpatterns)),
    path("taxii2/", include(stix_api.taxii_urlpatterns)),
    path("v1/", include(economy_exports.urlpatterns)),
    path("v1/", include(proposals.urlpatterns)),
    path("v1/", include(humanitarian.urlpatterns)),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]
