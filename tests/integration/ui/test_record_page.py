"""The record page: the latest checkpoint and its cosigners, witnesses, and who manages them."""

from __future__ import annotations

import html
import time
from typing import Any

import pytest

from coordcell.record import note
from coordcell.record.models import Checkpoint, Entry, Witness
from coordcell.record.services import add_cosignature
from tests.conftest import witness_signer

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _cosign(actor: Any, party: str) -> Checkpoint:
    checkpoint = Checkpoint.objects.order_by("-size").first()
    assert checkpoint is not None
    body = note.parse_note(checkpoint.note).text
    line = note.cosign(body, witness_signer(party), int(time.time()))
    add_cosignature(actor=actor(f"{party}.admin"), size=checkpoint.size, line=line)
    return checkpoint


def test_it_shows_the_latest_checkpoint_with_who_cosigned_it(client_for: Any, actor: Any) -> None:
    checkpoint = _cosign(actor, "il")
    text = _text(client_for("observer").get("/record/"))
    assert f"{checkpoint.size}" in text
    assert checkpoint.origin in text
    assert "witness.il.test" in text
    cosigned, pending = text.split("not yet", 1)
    assert "witness.il.test" in cosigned
    assert "witness.sy.test" in pending  # Syria's witness has not cosigned this one
    assert "Register your party" not in text  # observers manage no witness


def test_administrators_see_the_form_and_register_their_partys_witness(client_for: Any) -> None:
    client = client_for("sy.admin")
    assert "Register your party" in _text(client.get("/record/"))
    key = note.Signer.generate("witness.sy.second", note.ALG_COSIGNATURE_V1)
    head = Entry.objects.order_by("-seq").values_list("seq", flat=True)[0]
    response = client.post("/record/witnesses/", {"vkey": key.verifier.vkey})
    assert response.status_code == 302
    witness = Witness.objects.get(vkey=key.verifier.vkey)
    assert witness.party.code == "sy"
    assert Entry.objects.filter(seq__gt=head, event_type="record.witness_registered").count() == 1
    assert "witness.sy.second" in _text(client.get("/record/"))


def test_a_bad_key_shows_the_form_again_with_the_error(client_for: Any) -> None:
    response = client_for("il.admin").post("/record/witnesses/", {"vkey": "rubbish"})
    assert response.status_code == 400
    assert "Not a signed-note verifier key" in _text(response)


@pytest.mark.parametrize("username", ["il.liaison", "monitor", "donor", "observer"])
def test_others_cannot_register_a_witness(client_for: Any, username: str) -> None:
    key = note.Signer.generate("witness.nope", note.ALG_COSIGNATURE_V1)
    count = Witness.objects.count()
    response = client_for(username).post("/record/witnesses/", {"vkey": key.verifier.vkey})
    assert response.status_code == 403
    assert Witness.objects.count() == count


def test_a_party_retires_only_its_own_witness(client_for: Any) -> None:
    witness = Witness.objects.get(party__code="il")
    path = f"/record/witnesses/{witness.public_id}/retire/"
    assert client_for("sy.admin").post(path).status_code == 403
    assert client_for("mediator").post(path).status_code == 403
    assert Witness.objects.get(pk=witness.pk).retired_at is None
    response = client_for("il.admin").post(path)
    assert response.status_code == 302
    assert Witness.objects.get(pk=witness.pk).retired_at is not None


def test_retiring_an_unknown_witness_is_not_found(client_for: Any) -> None:
    response = client_for("il.admin").post(
        "/record/witnesses/00000000-0000-0000-0000-000000000000/retire/"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/record/witnesses/", "/record/witnesses/{id}/retire/"])
def test_the_forms_need_a_post_and_a_membership(client_for: Any, path: str) -> None:
    path = path.format(id=Witness.objects.get(party__code="il").public_id)
    assert client_for("il.admin").get(path).status_code == 405
    assert client_for("outsider").post(path).status_code == 403
    anonymous = client_for(None).post(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_the_page_follows_the_language_and_direction(client_for: Any) -> None:
    client = client_for("sy.liaison")
    client.cookies["django_language"] = "ar"
    text = _text(client.get("/record/"))
    assert 'dir="rtl"' in text
    assert "السجل" in text
