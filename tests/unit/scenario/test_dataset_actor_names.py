"""A force may list the names ACLED and UCDP give it; a name names one force only."""

from __future__ import annotations

import pathlib

from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import SHIPPED


def test_the_shipped_forces_list_the_ucdp_names_of_the_governments() -> None:
    forces = {f.id: f for f in read_scenario(SHIPPED).forces}
    assert forces["il_army"].ucdp_actors == ("Government of Israel",)
    assert forces["sy_army"].ucdp_actors == ("Government of Syria",)
    assert all(f.acled_actors == () for f in forces.values())


def test_a_name_listed_for_two_forces_is_refused(shipped_copy: pathlib.Path) -> None:
    toml = shipped_copy / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(
        text.replace(
            'ucdp_actors = ["Government of Syria"]', 'ucdp_actors = ["Government of Israel"]'
        ),
        encoding="utf-8",
    )
    _arrangement, errors = check_scenario(shipped_copy)
    assert [(e.field, e.message) for e in errors] == [
        (
            "forces[1].ucdp_actors[0]",
            "'Government of Israel' is already a name of forces[0]: "
            "a dataset's actor name names one force",
        )
    ]
