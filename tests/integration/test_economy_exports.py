"""The economic zone's exports (issue 15, point 5): IATI 2.03 activity XML valid against
the IATI schema, HXL-tagged CSVs that pass libhxl's validation against our HXL schemas,
exact decimals, and a confidential donor recoverable from no export a reader who may not
know it can read — through the API, the CLI and the service alike."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import hxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from coordcell.economy import exports, selectors, services
from coordcell.economy.models import Donor
from tests.story import DemoStory

pytestmark = pytest.mark.django_db

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
IATI_XSD = VECTORS / "iati" / "iati-activities-schema.xsd"
HXL_SCHEMAS = {
    "hxl-projects": VECTORS / "hxl" / "schema-economy-projects.hxl.csv",
    "hxl-pledges": VECTORS / "hxl" / "schema-economy-pledges.hxl.csv",
}
URLS = {
    "iati": "/api/v1/economy/exports/iati.xml",
    "hxl-projects": "/api/v1/economy/exports/projects.hxl.csv",
    "hxl-pledges": "/api/v1/economy/exports/pledges.hxl.csv",
}
#: Everyone who reads the zone but may not know a confidential donor.
OTHERS = ("il.liaison", "il.analyst", "sy.liaison", "sy.admin", "monitor", "observer")
_OPTS = hxl.InputOptions(allow_local=True)


def iati_errors(body: bytes) -> list[str]:
    schema = etree.XMLSchema(etree.parse(str(IATI_XSD)))
    doc = etree.fromstring(body)
    return [] if schema.validate(doc) else [str(e) for e in schema.error_log]


def hxl_errors(body: bytes, fmt: str) -> list[str]:
    found: list[str] = []
    schema = hxl.schema(
        hxl.data(str(HXL_SCHEMAS[fmt]), _OPTS), callback=lambda e: found.append(str(e))
    )
    ok = schema.validate(hxl.data(io.BytesIO(body), _OPTS))
    return found or ([] if ok else ["invalid"])


@pytest.fixture(scope="module")
def _told_once(demo_story: DemoStory) -> Iterator[None]:
    """The demo's story for the module, in a transaction rolled back after its last test;
    each test runs in a savepoint inside it (pytest-django's ``db``), so what a test changes
    is undone as usual (``tests/story.py``). Played once per test, it was most of this
    module's time."""
    with demo_story.told():
        yield


@pytest.fixture
def story(db: Any, _told_once: None) -> None:
    """The demo's story is told (once for the module: ``_told_once``)."""


def _donor() -> Donor:
    return Donor.objects.select_related("party").get(party__code="donor_a")


def _secrets(donor: Donor) -> list[str]:
    """What would identify the donor: its party's code, names in every language, ids."""
    party = donor.party
    names = [str(v) for v in (party.names or {}).values() if v]
    assert names
    return [party.code, str(party.public_id), *names]


# --- the pure writers against the standards' own checkers --------------------------------


def test_the_checkers_accept_the_published_samples_and_refuse_broken_ones() -> None:
    sample = (VECTORS / "iati" / "sample-activity-pledge-commitment-disbursement.xml").read_bytes()
    assert iati_errors(sample) == []
    assert iati_errors(sample.replace(b"<iati-identifier>", b"<iati-identifierx>", 1).replace(
        b"</iati-identifier>", b"</iati-identifierx>", 1
    ))  # fmt: skip
    schema = hxl.schema(hxl.data(str(VECTORS / "hxl" / "schema-pledges.hxl.csv"), _OPTS))
    assert schema.validate(hxl.data(str(VECTORS / "hxl" / "pledges.hxl.csv"), _OPTS))
    bad = (VECTORS / "hxl" / "pledges.hxl.csv").read_bytes().replace(b"USD,2500000", b"USD,-1")
    assert not schema.validate(hxl.data(io.BytesIO(bad), _OPTS))


# --- the demo's exports validate -----------------------------------------------------------


@pytest.mark.parametrize("username", ["mediator", "donor", "il.liaison", "observer"])
def test_the_demos_exports_validate(story: None, actor: Any, username: str) -> None:
    iati_body = exports.export(actor(username), "iati").content
    assert iati_errors(iati_body) == []
    root = etree.fromstring(iati_body)
    assert root.get("version") == "2.03"
    assert len(root.findall("iati-activity")) >= 3
    for fmt in ("hxl-projects", "hxl-pledges"):
        body = exports.export(actor(username), fmt).content
        assert hxl_errors(body, fmt) == [], fmt
    # A CSV of the pledges that broke a rule would be caught: the check can fail.
    broken = exports.export(actor(username), "hxl-pledges").content.replace(b",USD,", b",US$,")
    if b",US$," in broken:
        assert hxl_errors(broken, "hxl-pledges")


def test_the_iati_export_carries_codes_sites_sectors_and_languages(story: None, actor: Any) -> None:
    root = etree.fromstring(exports.export(actor("mediator"), "iati").content)
    kinds = {t.get("code") for t in root.iter("transaction-type")}
    assert kinds == {"13", "11", "1"}  # incoming pledge, incoming commitment, incoming funds
    for value in root.iter("value"):
        assert value.get("currency")
        assert value.get("value-date")
        Decimal(value.text or "")  # exact decimal text, never an exponent or a float
        assert "e" not in (value.text or "").lower()
    for activity in root.findall("iati-activity"):
        assert activity.findtext("iati-identifier", "").startswith("XI-IATI-COORDCELL-PRJ-")
        sector = activity.find("sector")
        assert sector is not None
        assert sector.get("vocabulary") == "99"
        assert sector.get("code") in {"agriculture", "wind_energy", "tourism"}
        pos = activity.findtext("location/point/pos", "")
        lat, lon = (float(x) for x in pos.split())
        assert 32 < lat < 34
        assert 35 < lon < 37
        langs = {
            n.get("{http://www.w3.org/XML/1998/namespace}lang")
            for n in activity.findall("title/narrative")
        }
        assert langs == {None, "ar", "he"}
        assert activity.find("reporting-org").get("ref") == "XI-IATI-COORDCELL"


# --- donors' confidentiality ---------------------------------------------------------------


def _bodies(actor: Any, username: str, donors: str = "pseudonyms") -> dict[str, str]:
    return {
        fmt: exports.export(actor(username), fmt, donors).content.decode("utf-8")
        for fmt in exports.FORMATS
    }


@pytest.mark.parametrize("username", OTHERS)
@pytest.mark.parametrize("donors", ["pseudonyms", "names"])
def test_a_confidential_donor_is_in_no_export_of_anyone_else(
    story: None, actor: Any, username: str, donors: str
) -> None:
    donor = _donor()
    assert not donor.named
    label = selectors.pseudonym_label(donor.pseudonym)
    bodies = _bodies(actor, username, donors)
    for fmt, body in bodies.items():
        for secret in _secrets(donor):
            assert secret not in body, (fmt, secret)
    # … and the donor is there, as its pseudonym, wherever the reader reads its money.
    if selectors.list_pledges(actor(username)).exists():
        assert label in bodies["hxl-pledges"]
        assert label in bodies["iati"]
    root = etree.fromstring(bodies["iati"].encode())
    for org in [*root.iter("provider-org"), *root.iter("participating-org")]:
        if org.get("role") != "2":
            assert org.get("ref") is None
            assert org.get("provider-activity-id") is None


@pytest.mark.parametrize("username", ["mediator", "donor"])
def test_the_mediator_and_the_donor_name_it_only_when_they_ask(
    story: None, actor: Any, username: str
) -> None:
    donor = _donor()
    name = str(donor.party.names["en"])
    for body in _bodies(actor, username).values():
        assert name not in body
        assert donor.party.code not in body
    named = _bodies(actor, username, "names")
    assert name in named["iati"]
    assert name in named["hxl-pledges"]
    assert name in named["hxl-projects"]
    assert donor.party.code not in named["iati"]  # never a ref


def test_a_donor_that_chose_to_be_named_is_named_in_everyones_export(
    story: None, actor: Any
) -> None:
    donor = _donor()
    services.set_donor_naming(actor=actor("donor"), donor=donor, named=True)
    name = str(donor.party.names["en"])
    for username in ("il.liaison", "observer"):
        bodies = _bodies(actor, username)
        assert name in bodies["iati"]
        assert name in bodies["hxl-pledges"]
        assert donor.party.code not in bodies["iati"]


def test_an_outsider_reads_no_export(client_for: Any) -> None:
    for url in URLS.values():
        response = client_for("outsider").get(url)
        assert response.status_code in (403, 404)
        assert b"PLG-" not in response.content


# --- exact decimals ------------------------------------------------------------------------


def test_sums_are_exact_decimals(actor: Any, console: Any) -> None:
    from tests.integration.test_economy import _donor as make_donor
    from tests.integration.test_economy import _project

    project = _project(actor)
    pledge = services.record_pledge(
        actor=actor("donor"), project=project, donor=make_donor(console), currency="USD",
        amount="0.30", pledged_on="2026-02-01",
    )  # fmt: skip
    for amount in ("0.10", "0.20"):
        services.record_commitment(
            actor=actor("donor"), pledge=pledge, currency="USD", amount=amount,
            committed_on="2026-02-02",
        )  # fmt: skip
    rows = list(
        csv.reader(io.StringIO(exports.export(actor("donor"), "hxl-pledges").content.decode()))
    )
    row = next(r for r in rows[2:] if r[0] == pledge.reference)
    assert row[4:7] == ["0.30", "0.30", "0.00"]
    assert row[8] == "committed"
    root = etree.fromstring(exports.export(actor("donor"), "iati").content)
    values = {t.get("ref"): t.findtext("value") for t in root.iter("transaction")}
    assert values[pledge.reference] == "0.30"
    assert sorted(v for r, v in values.items() if r.startswith("CMT-")) >= ["0.10", "0.20"]


# --- the API and the CLI -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(URLS))
def test_the_api_serves_each_export_with_its_type_and_file_name(
    story: None, client_for: Any, fmt: str
) -> None:
    response = client_for("il.liaison").get(URLS[fmt])
    assert response.status_code == 200
    media, filename = exports.FORMATS[fmt]
    assert response["Content-Type"] == media
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    body = response.content
    if fmt == "iati":
        assert iati_errors(body) == []
    else:
        assert hxl_errors(body, fmt) == []
    assert _donor().party.code.encode() not in body


@pytest.mark.parametrize(
    "query", ["?donors=everyone", "?donors=", "?colour=red", "?donors=names&x=1"]
)
def test_bad_requests_are_refused_with_a_4xx(client_for: Any, query: str) -> None:
    response = client_for("il.liaison").get(URLS["hxl-pledges"] + query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_an_unknown_export_is_a_404(client_for: Any) -> None:
    assert client_for("il.liaison").get("/api/v1/economy/exports/pledges.xlsx").status_code == 404


def test_the_service_refuses_an_unknown_format_or_mode(actor: Any) -> None:
    from coordcell.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        exports.export(actor("mediator"), "pdf", "all")
    assert set(refused.value.fields) == {"format", "donors"}


def test_the_cli_writes_the_export_of_an_account(story: None, tmp_path: Path) -> None:
    out = tmp_path / "pledges.hxl.csv"
    call_command(
        "economy", "export", "--format", "hxl-pledges", "--user", "observer", "-o", str(out)
    )
    body = out.read_bytes()
    assert hxl_errors(body, "hxl-pledges") == []
    assert _donor().party.code.encode() not in body
    out = tmp_path / "iati.xml"
    call_command("economy", "export", "--format", "iati", "--user", "mediator", "-o", str(out))
    assert iati_errors(out.read_bytes()) == []
    with pytest.raises(CommandError):
        call_command("economy", "export", "--format", "iati", "--user", "nobody", "-o", str(out))


def test_the_cli_help_needs_no_configuration(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "src"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(src), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "coordcell.cli", "economy", "export", "--help"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "--format" in done.stdout
    assert "hxl-pledges" in done.stdout


def test_the_zone_page_offers_the_three_downloads(client_for: Any) -> None:
    for language in ("en", "ar", "he"):
        page = client_for("observer").get("/economy/", HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200
        body = page.content.decode()
        for url in URLS.values():
            assert f'href="{url}" download' in body
    assert (
        "التنزيلات"
        in client_for("observer").get("/economy/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    )
