"""IATI 2.03 activity XML of the economic zone's projects and their money (pure Python).

The caller (``economy.exports``) gathers what one reader may read into an
:class:`IatiReport`; :func:`activities_xml` writes it as an ``<iati-activities
version="2.03">`` document built with lxml, valid against the IATI 2.03 activity schema
(``tests/vectors/iati/``). Nothing here imports Django, and nothing here decides who a
donor is: every organisation arrives as the name the reader may read.

How the IATI codes are chosen (also in ``docs/economy-exports.md``):

- the **reporting organisation** is the cell (it keeps the zone's register), never a
  donor; each project is one activity whose ``iati-identifier`` is the cell's
  organisation identifier followed by the project's reference (random, so it carries no
  count and nothing of any donor);
- the **transactions** are reported as the activity receives them, from the cell's side:
  a pledge is ``13`` *Incoming Pledge*, a commitment ``11`` *Incoming Commitment*, a
  disbursed tranche ``1`` *Incoming Funds*. The donor's own outgoing codes (``12``, ``2``,
  ``3``) belong in the donor's own IATI file under its own reporting organisation, which
  would name it;
- the donor appears as ``provider-org`` and ``participating-org`` (role ``1``, Funding)
  with a ``narrative`` only — never a ``ref`` or a ``provider-activity-id``, the two
  places an identifier could be recovered from;
- amounts are exact decimals written with ``format(..., "f")`` (no float anywhere), in
  their own currency, with ``value-date`` the transaction's date: nothing is converted
  here; a consumer that converts uses that day's rate;
- sectors: the arrangement's own sector codes under vocabulary ``99`` (*Reporting
  Organisation*), declared with its ``vocabulary-uri``, with the lexicon's names;
- the site: one ``location`` whose ``point`` (EPSG:4326, ``lat lon`` in Latin digits) is
  a representative point of the site's geometry; ``exactness`` 1 for a point site, 2 for
  a line or an area; ``location-class`` 3 (*Structure*);
- the project's state: ``planned`` → ``1`` Pipeline, ``active`` → ``2`` Implementation,
  ``completed`` → ``3`` Finalisation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lxml import etree
from shapely.geometry import shape

__all__ = [
    "ACTIVITY_STATUS",
    "IATI_MEDIA_TYPE",
    "IATI_VERSION",
    "LANGUAGES",
    "SECTOR_VOCABULARY",
    "TRANSACTION_TYPES",
    "IatiActivity",
    "IatiLocation",
    "IatiReport",
    "IatiTransaction",
    "activities_xml",
    "amount_text",
    "location_of",
]

IATI_VERSION = "2.03"
IATI_MEDIA_TYPE = "application/xml"
#: The languages of the narratives, the activity's default (``en``) first.
LANGUAGES = ("en", "ar", "he")
#: Our kinds of money → IATI 2.03 TransactionType codes (reported by the recipient side).
TRANSACTION_TYPES: Mapping[str, str] = {"pledge": "13", "commitment": "11", "disbursement": "1"}
#: Project states → IATI 2.03 ActivityStatus codes.
ACTIVITY_STATUS: Mapping[str, str] = {"planned": "1", "active": "2", "completed": "3"}
#: IATI SectorVocabulary 99: "Reporting Organisation" (the arrangement's own codes).
SECTOR_VOCABULARY = "99"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
#: IATI OrganisationType 90 "Other": the cell is none of the listed kinds.
_CELL_ORG_TYPE = "90"
#: IATI OrganisationRole 1 "Funding", 2 "Accountable".
_ROLE_FUNDING = "1"
_ROLE_ACCOUNTABLE = "2"
#: IATI LocationClass 3 "Structure"; GeographicExactness 1 "Exact", 2 "Approximate".
_LOCATION_CLASS = "3"


def amount_text(amount: Decimal) -> str:
    """An exact decimal as IATI's ``xsd:decimal`` wants it (no exponent, no float)."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError("amounts are finite Decimals")
    return format(amount, "f")


@dataclass(frozen=True)
class IatiTransaction:
    """A pledge, commitment or disbursement as the reader may read it.

    ``provider``: the donor's name for this reader (a pseudonym unless the reader may
    know it); ``amount``: exact, already in ``currency``'s minor units."""

    kind: str
    reference: str
    date: dt.date
    currency: str
    amount: Decimal
    provider: str


@dataclass(frozen=True)
class IatiLocation:
    reference: str
    latitude: float
    longitude: float
    exact: bool
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IatiActivity:
    """One project: ``reference`` (the cell's), texts by language, its sector (code and
    names by language), its state, dates, funders (names for the reader) and money."""

    reference: str
    titles: Mapping[str, str]
    descriptions: Mapping[str, str]
    state: str
    sector: str
    sector_names: Mapping[str, str]
    start: dt.date
    end: dt.date | None
    currency: str
    funders: Sequence[str]
    location: IatiLocation | None
    transactions: Sequence[IatiTransaction]


@dataclass(frozen=True)
class IatiReport:
    """What one export holds: the cell's organisation identifier and names, when it was
    generated, where the sector vocabulary is described, and the activities."""

    reporting_ref: str
    reporting_names: Mapping[str, str]
    generated: dt.datetime
    sector_vocabulary_uri: str
    activities: Sequence[IatiActivity]


def location_of(
    reference: str, geometry: Mapping[str, Any], names: Mapping[str, str]
) -> IatiLocation:
    """The site's representative point (inside an area, on a line), exact for a point."""
    geom = shape(geometry)
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    return IatiLocation(
        reference=reference,
        latitude=float(point.y),
        longitude=float(point.x),
        exact=geom.geom_type == "Point",
        names=names,
    )


def _narratives(parent: etree._Element, texts: Mapping[str, str]) -> None:
    """One ``narrative`` per language with a text, the default language without
    ``xml:lang``; an element with no text at all gets its first language's empty one."""
    wrote = False
    for lang in LANGUAGES:
        text = (texts.get(lang) or "").strip()
        if not text:
            continue
        n = etree.SubElement(parent, "narrative")
        if lang != LANGUAGES[0]:
            n.set(_XML_LANG, lang)
        n.text = text
        wrote = True
    if not wrote:
        etree.SubElement(parent, "narrative").text = "-"


def _date(d: dt.date) -> str:
    return d.isoformat()


def _degrees(value: float) -> str:
    # Latin digits whatever the locale: Python's own formatting, never localised.
    return f"{value:.6f}"


def _activity(report: IatiReport, a: IatiActivity) -> etree._Element:
    el = etree.Element("iati-activity")
    el.set(_XML_LANG, LANGUAGES[0])
    el.set("default-currency", a.currency)
    etree.SubElement(el, "iati-identifier").text = f"{report.reporting_ref}-{a.reference}"
    rep = etree.SubElement(el, "reporting-org", ref=report.reporting_ref, type=_CELL_ORG_TYPE)
    _narratives(rep, report.reporting_names)
    _narratives(etree.SubElement(el, "title"), a.titles)
    # The schema wants a description: the project's, or its title when it has none.
    described = any((a.descriptions.get(lang) or "").strip() for lang in LANGUAGES)
    _narratives(
        etree.SubElement(el, "description", type="1"), a.descriptions if described else a.titles
    )
    cell = etree.SubElement(
        el, "participating-org", ref=report.reporting_ref, role=_ROLE_ACCOUNTABLE,
        type=_CELL_ORG_TYPE,
    )  # fmt: skip
    _narratives(cell, report.reporting_names)
    for funder in sorted(set(a.funders)):
        # No ref and no type: a name (or pseudonym) is all an export says of a donor.
        _narratives(etree.SubElement(el, "participating-org", role=_ROLE_FUNDING), {"en": funder})
    etree.SubElement(el, "activity-status", code=ACTIVITY_STATUS.get(a.state, "2"))
    etree.SubElement(el, "activity-date", type="1", **{"iso-date": _date(a.start)})
    if a.end is not None:
        etree.SubElement(el, "activity-date", type="3", **{"iso-date": _date(a.end)})
    if a.location is not None:
        loc = etree.SubElement(el, "location", ref=a.location.reference)
        if any(a.location.names.values()):
            _narratives(etree.SubElement(loc, "name"), a.location.names)
        point = etree.SubElement(loc, "point", srsName=_EPSG_4326)
        etree.SubElement(
            point, "pos"
        ).text = f"{_degrees(a.location.latitude)} {_degrees(a.location.longitude)}"
        etree.SubElement(loc, "exactness", code="1" if a.location.exact else "2")
        etree.SubElement(loc, "location-class", code=_LOCATION_CLASS)
    sector = etree.SubElement(
        el, "sector", vocabulary=SECTOR_VOCABULARY, code=a.sector,
        percentage="100",
    )  # fmt: skip
    sector.set("vocabulary-uri", report.sector_vocabulary_uri)
    _narratives(sector, a.sector_names or {"en": a.sector})
    for t in a.transactions:
        if t.kind not in TRANSACTION_TYPES:
            raise ValueError(f"unknown kind of transaction: {t.kind!r}")
        tr = etree.SubElement(el, "transaction", ref=t.reference)
        etree.SubElement(tr, "transaction-type", code=TRANSACTION_TYPES[t.kind])
        etree.SubElement(tr, "transaction-date", **{"iso-date": _date(t.date)})
        value = etree.SubElement(tr, "value", currency=t.currency, **{"value-date": _date(t.date)})
        value.text = amount_text(t.amount)
        # A name for the reader; never a ref, never a provider-activity-id.
        _narratives(etree.SubElement(tr, "provider-org"), {"en": t.provider})
    return el


def activities_xml(report: IatiReport) -> bytes:
    """The ``<iati-activities>`` document (UTF-8, with its declaration).

    With no activity (a reader who reads no project) the document is empty: the schema
    wants at least one ``iati-activity``, and there is none to write."""
    root = etree.Element("iati-activities", version=IATI_VERSION)
    root.set("generated-datetime", report.generated.isoformat(timespec="seconds"))
    for a in report.activities:
        root.append(_activity(report, a))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
