"""Loading scenarios as versioned arrangements: idempotent, all-or-nothing, recorded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from coordcell.agreements.models import Arrangement, ArrangementVersion, Clause, Zone
from coordcell.agreements.services import SCENARIOS_DIR, load_arrangement
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.parties.models import Party
from coordcell.record.models import Entry
from coordcell.rules.scenario import ScenarioInvalid

pytestmark = pytest.mark.django_db

SHIPPED = SCENARIOS_DIR / "southern_syria_2026"
BROKEN = Path(__file__).resolve().parents[1] / "unit" / "scenario" / "broken"
#: Another arrangement (key ``other_cell``), with a party coded ``il`` as the shipped one.
OTHER = Path(__file__).resolve().parent / "scenarios" / "other_cell"


def _counts() -> tuple[int, ...]:
    return (
        Arrangement.objects.count(),
        ArrangementVersion.objects.count(),
        Zone.objects.count(),
        Clause.objects.count(),
        Party.objects.count(),
        Entry.objects.count(),
    )


def test_it_changes_nothing_when_the_same_files_load_again(console) -> None:
    before = _counts()
    result = load_arrangement(actor=console, path=SHIPPED)
    assert result.created is False
    assert result.version.number == 1
    assert _counts() == before


def test_it_makes_a_new_current_version_when_a_file_changes(console, tmp_path) -> None:
    copy = tmp_path / "s"
    shutil.copytree(SHIPPED, copy)
    toml = copy / "arrangement.toml"
    toml.write_text(toml.read_text().replace("max_tanks = 75", "max_tanks = 70"))
    entries = Entry.objects.count()

    result = load_arrangement(actor=console, path=copy)

    assert result.created is True
    assert result.version.number == 2
    versions = ArrangementVersion.objects.filter(arrangement__key="southern_syria_2026")
    assert [(v.number, v.is_current) for v in versions.order_by("number")] == [
        (1, False),
        (2, True),
    ]
    assert Clause.objects.get(version=result.version, clause_id="AOL-10").limits["max_tanks"] == 70
    assert Clause.objects.get(version__number=1, clause_id="AOL-10").limits["max_tanks"] == 75
    last = Entry.objects.order_by("seq").last()
    assert Entry.objects.count() == entries + 1
    assert last.event_type == "agreements.version_loaded"
    assert last.data["version"] == 2
    assert last.data["previous_version"] == 1


def test_it_writes_nothing_for_an_invalid_scenario(console) -> None:
    before = _counts()
    with pytest.raises(ScenarioInvalid):
        load_arrangement(actor=console, path=BROKEN / "negative_limit")
    assert _counts() == before


def test_it_lets_only_the_console_load(actor) -> None:
    before = _counts()
    with pytest.raises(PermissionDenied):
        load_arrangement(actor=actor("mediator"), path=SHIPPED)
    assert _counts() == before


@pytest.mark.parametrize("case", sorted(p.name for p in BROKEN.iterdir() if p.is_dir()))
def test_the_check_command_fails_naming_file_and_field(case, capsys) -> None:
    before = _counts()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("scenario", "check", str(BROKEN / case))
    err = capsys.readouterr().err
    assert err.strip(), "every error is printed"
    assert all(":" in line for line in err.strip().splitlines())
    assert _counts() == before


def test_the_load_command_fails_without_writing(capsys) -> None:
    before = _counts()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("scenario", "load", str(BROKEN / "self_intersecting_polygon"))
    assert "zones.geojson" in capsys.readouterr().err
    assert _counts() == before


def test_the_check_command_accepts_the_shipped_scenario(capsys) -> None:
    call_command("scenario", "check", "southern_syria_2026")
    assert "valid — arrangement southern_syria_2026" in capsys.readouterr().out


def _state() -> tuple[object, ...]:
    """Everything a second arrangement could touch: parties, versions, the record."""
    return (
        sorted(Party.objects.values_list("code", "kind", "names")),
        sorted(
            ArrangementVersion.objects.values_list(
                "arrangement__key", "number", "is_current", "content_hash"
            )
        ),
        sorted(Arrangement.objects.values_list("key", flat=True)),
        list(Entry.objects.order_by("seq").values_list("seq", "event_type")),
        _counts(),
    )


def test_a_second_arrangement_is_refused_before_any_write(console) -> None:
    before = _state()
    il_name = Party.objects.get(code="il").names["en"]
    with pytest.raises(ValidationFailed) as refused:
        load_arrangement(actor=console, path=OTHER)
    message = str(refused.value)
    assert "southern_syria_2026" in message
    assert "other_cell" in message
    assert "own database and data directory" in message
    assert _state() == before
    assert Party.objects.get(code="il").names["en"] == il_name


def test_the_load_command_refuses_a_second_arrangement_with_status_2(capsys) -> None:
    before = _state()
    with pytest.raises(CommandError) as refused:
        call_command("scenario", "load", str(OTHER))
    assert refused.value.returncode == 2
    assert "southern_syria_2026" in str(refused.value)
    assert "other_cell" in str(refused.value)
    assert "nothing was loaded" in str(refused.value)
    assert _state() == before


def test_the_same_arrangement_still_loads_as_a_new_version(console, tmp_path) -> None:
    copy = tmp_path / "s"
    shutil.copytree(SHIPPED, copy)
    toml = copy / "arrangement.toml"
    toml.write_text(toml.read_text().replace("max_tanks = 75", "max_tanks = 60"))
    with pytest.raises(ValidationFailed):
        load_arrangement(actor=console, path=OTHER)
    result = load_arrangement(actor=console, path=copy)
    assert (result.created, result.version.number) == (True, 2)
    assert list(Arrangement.objects.values_list("key", flat=True)) == ["southern_syria_2026"]
