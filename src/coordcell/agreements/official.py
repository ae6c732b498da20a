"""Writers of authoritative texts and of the lexicon's amendments (one service per intent:
permission → validation → rows → record entry, in one transaction).

An official text is issued in its authoritative language (the rules of procedure's
``authoritative_language``, else the language it is written in); every other language is
added as a translation by a named translator, then checked, then certified. Each step
states the SHA-256 of every language's text in the record. The apps that issue official
texts (talks minutes, cases determinations, agreed outcomes) call :func:`issue_text` and
:func:`revise_text` inside their own transaction, with the audience of what the text is
of; they hold the returned :class:`OfficialText` by foreign key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.agreements import events
from coordcell.agreements.choices import (
    AmendmentStateChoices,
    ApprovalDecisionChoices,
    OfficialTextKindChoices,
    TranslationStatusChoices,
)
from coordcell.agreements.models import (
    ArrangementVersion,
    LexiconAmendment,
    LexiconApproval,
    OfficialText,
    OfficialTranslation,
)
from coordcell.core.actor import Actor
from coordcell.core.audience import ALL_MEMBERS, encode
from coordcell.core.errors import Conflict, PermissionDenied, ValidationFailed
from coordcell.parties import selectors as parties
from coordcell.record.services import append_event, subject
from coordcell.rules import lexicon as lexicon_rules
from coordcell.rules import vocabulary
from coordcell.rules.arrangement import procedure_from_content

__all__ = [
    "OFFICIAL_TEXT_MAX_CHARS",
    "add_translation",
    "advance_translation",
    "approvers_of_lexicon",
    "decide_amendment",
    "issue_text",
    "propose_amendment",
    "revise_text",
    "sha256_of",
]

OFFICIAL_TEXT_MAX_CHARS = 50_000
NAME_MAX_CHARS = 200
REASON_MAX_CHARS = 2_000

_STATUS_ORDER = (
    TranslationStatusChoices.TRANSLATED,
    TranslationStatusChoices.CHECKED,
    TranslationStatusChoices.CERTIFIED,
)


def sha256_of(body: str) -> str:
    """The SHA-256 of a text's UTF-8 bytes, in hex: what the record states per language."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _clean_body(body: Any, field: str = "text") -> str:
    if not isinstance(body, str) or not body.strip():
        raise ValidationFailed({field: [_("Write the text.")]})
    body = body.strip().replace("\r\n", "\n")
    if len(body) > OFFICIAL_TEXT_MAX_CHARS:
        raise ValidationFailed({field: [_("At most 50,000 characters.")]})
    return str(body)


def _language(value: Any, field: str = "language") -> str:
    if value not in vocabulary.LANGUAGES:
        raise ValidationFailed({field: [_("Choose Arabic, Hebrew or English.")]})
    return str(value)


def _hashes(text: OfficialText) -> dict[str, dict[str, str]]:
    return {
        t.language: {"sha256": t.sha256, "status": t.status}
        for t in text.translations.order_by("language")
    }


def _state(actor: Actor, text: OfficialText, event: Any, extra: Mapping[str, Any]) -> None:
    append_event(
        actor=actor,
        event_type=event,
        data={
            "kind": text.kind,
            "subject": text.subject,
            "revision": text.revision,
            "authoritative_language": text.authoritative_language,
            "languages": _hashes(text),
            **extra,
        },
        subjects=[subject("agreements.official_text", text.public_id, text.subject)],
        audience=text.audience_codes,
    )


def authoritative_language(version: ArrangementVersion, written_in: str) -> str:
    """The rules of procedure's authoritative language, else the one it is written in."""
    procedure = procedure_from_content(version.content.get("procedure"))
    if procedure is not None and procedure.authoritative_language in vocabulary.LANGUAGES:
        return procedure.authoritative_language
    return written_in


def issue_text(
    *,
    actor: Actor,
    kind: str,
    subject_label: str,
    version: ArrangementVersion,
    language: str,
    body: str,
    audience: Iterable[str],
) -> OfficialText:
    """Issue an official text written in ``language``. Called inside the issuing app's
    transaction (it has checked who may); the text is stored in ``language``, which is
    the authoritative language when the arrangement names none. Written in another
    language than the authoritative one, it is recorded as that language's text and the
    authoritative text is still to come (:func:`add_translation`)."""
    if kind not in OfficialTextKindChoices.values():
        raise ValueError(kind)
    language = _language(language)
    body = _clean_body(body)
    now = timezone.now()
    authoritative = authoritative_language(version, language)
    text = OfficialText.objects.create(
        kind=kind,
        subject=subject_label[:120],
        version=version,
        authoritative_language=authoritative,
        audience=encode(audience),
        created_at=now,
        created_by=actor.user,
    )
    OfficialTranslation.objects.create(
        text=text,
        language=language,
        body=body,
        sha256=sha256_of(body),
        status=(
            TranslationStatusChoices.AUTHORITATIVE
            if language == authoritative
            else TranslationStatusChoices.TRANSLATED
        ),
        translator=actor.name if language != authoritative else "",
        translated_at=now,
    )
    _state(actor, text, events.OFFICIAL_TEXT_ISSUED, {"written_in": language})
    return text


def revise_text(*, actor: Actor, text: OfficialText, language: str, body: str) -> OfficialText:
    """A new revision of a text still in draft (the issuing app says when it may be
    revised): the language's text replaced, every other language dropped (they were
    translations of the former words). The former hashes stay in the record."""
    language = _language(language)
    body = _clean_body(body)
    now = timezone.now()
    text.translations.exclude(language=language).delete()
    text.revision += 1
    text.save(update_fields=["revision"])
    OfficialTranslation.objects.update_or_create(
        text=text,
        language=language,
        defaults={
            "body": body,
            "sha256": sha256_of(body),
            "status": (
                TranslationStatusChoices.AUTHORITATIVE
                if language == text.authoritative_language
                else TranslationStatusChoices.TRANSLATED
            ),
            "translator": actor.name if language != text.authoritative_language else "",
            "translated_at": now,
            "checked_by": "",
            "checked_at": None,
            "certified_by": "",
            "certified_at": None,
        },
    )
    _state(actor, text, events.OFFICIAL_TEXT_ISSUED, {"written_in": language, "revised": True})
    return text


def set_audience(*, text: OfficialText, audience: Iterable[str]) -> OfficialText:
    """Who reads the text from now on (a draft issued to its drafters is circulated to
    the audience of what it is of, or taken back to its drafters for a new revision).
    Called inside the issuing app's transaction, which records the step in its own
    event to the new audience; the entries already written keep their audience."""
    text.audience = encode(audience)
    text.save(update_fields=["audience"])
    return text


def _may_translate(actor: Actor, text: OfficialText) -> bool:
    """Whoever reads the text and belongs to a party of kind party or mediator."""
    if actor.system:
        return True
    return (
        actor.party_code in text.audience_codes or ALL_MEMBERS in text.audience_codes
    ) and actor.party_kind in ("party", "mediator")


def add_translation(
    *, actor: Actor, text: OfficialText, language: str, body: str, translator: str
) -> OfficialTranslation:
    """Record the text in another language, translated by ``translator`` (a name)."""
    if not _may_translate(actor, text):
        raise PermissionDenied(_("You may not add a translation of this text."))
    language = _language(language)
    body = _clean_body(body)
    translator = (translator or "").strip()
    if not translator or len(translator) > NAME_MAX_CHARS:
        raise ValidationFailed({"translator": [_("Name the translator.")]})
    if text.translations.filter(language=language).exists():
        raise Conflict(_("This text already exists in that language."))
    with transaction.atomic():
        translation = OfficialTranslation.objects.create(
            text=text,
            language=language,
            body=body,
            sha256=sha256_of(body),
            status=(
                TranslationStatusChoices.AUTHORITATIVE
                if language == text.authoritative_language
                else TranslationStatusChoices.TRANSLATED
            ),
            translator=translator if language != text.authoritative_language else "",
            translated_at=timezone.now(),
        )
        _state(actor, text, events.TRANSLATION_RECORDED, {"language": language})
    return translation


def advance_translation(
    *, actor: Actor, translation: OfficialTranslation, to: str
) -> OfficialTranslation:
    """Mark a translation ``checked`` (after translated) or ``certified`` (after checked),
    by the actor; the authoritative text is neither."""
    text = translation.text
    if not _may_translate(actor, text):
        raise PermissionDenied(_("You may not check or certify this translation."))
    if translation.status not in _STATUS_ORDER or to not in _STATUS_ORDER[1:]:
        raise Conflict(_("Only a translation is checked, then certified."))
    if _STATUS_ORDER.index(to) != _STATUS_ORDER.index(translation.status) + 1:
        raise Conflict(_("A translation is checked before it is certified."))
    now = timezone.now()
    with transaction.atomic():
        translation.status = to
        if to == TranslationStatusChoices.CHECKED:
            translation.checked_by, translation.checked_at = actor.name, now
        else:
            translation.certified_by, translation.certified_at = actor.name, now
        translation.save()
        _state(
            actor,
            text,
            events.TRANSLATION_STATUS,
            {"language": translation.language, "status": to},
        )
    return translation


# --- the lexicon, editable only by agreement ---------------------------------------------


def approvers_of_lexicon() -> list[str]:
    """Whose approval an amendment needs: every party to the arrangement and the mediators."""
    return sorted(p.code for p in parties.parties_of_kinds(["party", "mediator"]))


def _names(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValidationFailed({"proposed": [_("Give the name in English, Arabic and Hebrew.")]})
    names: dict[str, str] = {}
    for language in vocabulary.LANGUAGES:
        name = value.get(language)
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed(
                {"proposed": [_("Give the name in English, Arabic and Hebrew.")]}
            )
        if len(name.strip()) > NAME_MAX_CHARS:
            raise ValidationFailed({"proposed": [_("At most 200 characters.")]})
        names[language] = name.strip()
    if set(value) - set(vocabulary.LANGUAGES):
        raise ValidationFailed({"proposed": [_("Give the name in English, Arabic and Hebrew.")]})
    return names


def propose_amendment(
    *,
    actor: Actor,
    version: ArrangementVersion,
    reference: str,
    proposed: Mapping[str, Any],
    reason: str,
) -> LexiconAmendment:
    """Propose new names for an existing lexicon entry (``"section.key"``); anyone in
    the cell may. It changes nothing until every party and the mediator approve it."""
    from coordcell.agreements.selectors import lexicon_of

    if not actor.is_member or actor.system:
        raise PermissionDenied(_("Only a member of the cell proposes an amendment."))
    section, key = lexicon_rules.split_reference(str(reference or ""))
    current = (lexicon_of(version).get(section) or {}).get(key) if section else None
    if not current:
        raise ValidationFailed({"entry": [_("No such entry in the agreed lexicon.")]})
    names = _names(proposed)
    if names == {lang: current.get(lang, "") for lang in vocabulary.LANGUAGES}:
        raise ValidationFailed({"proposed": [_("These are the names already agreed.")]})
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX_CHARS:
        raise ValidationFailed({"reason": [_("Say why, in at most 2,000 characters.")]})
    required = approvers_of_lexicon()
    try:
        with transaction.atomic():
            amendment = LexiconAmendment.objects.create(
                version=version,
                section=section,
                key=key,
                current=dict(current),
                proposed=names,
                reason=reason,
                required=required,
                proposed_by=actor.user,
                proposed_by_party=actor.party_code or "",
                proposed_at=timezone.now(),
            )
            append_event(
                actor=actor,
                event_type=events.LEXICON_AMENDMENT_PROPOSED,
                data={
                    "entry": f"{section}.{key}",
                    "current": dict(current),
                    "proposed": names,
                    "reason": reason,
                    "required": required,
                },
                subjects=[subject("agreements.lexicon_amendment", amendment.public_id)],
                audience=[ALL_MEMBERS],
            )
    except IntegrityError:
        raise Conflict(_("An amendment of this entry is already awaiting approvals.")) from None
    return amendment


def decide_amendment(
    *, actor: Actor, amendment: LexiconAmendment, decision: str, note: str = ""
) -> LexiconAmendment:
    """A party's (or the mediator's) approval or refusal, on the record. The last
    approval applies the amendment; one refusal ends it."""
    code = actor.party_code or ""
    if actor.system or code not in amendment.required:
        raise PermissionDenied(_("Only the parties and the mediator decide an amendment."))
    if not (actor.has_role("principal") or actor.has_role("liaison_officer")):
        raise PermissionDenied(_("A principal or liaison officer decides for the party."))
    if decision not in ApprovalDecisionChoices.values():
        raise ValidationFailed({"decision": [_("Approve or refuse.")]})
    note = (note or "").strip()
    if len(note) > REASON_MAX_CHARS:
        raise ValidationFailed({"note": [_("At most 2,000 characters.")]})
    with transaction.atomic():
        amendment = LexiconAmendment.objects.select_for_update(no_key=True).get(pk=amendment.pk)
        if amendment.state != AmendmentStateChoices.PENDING:
            raise Conflict(_("This amendment is no longer awaiting approvals."))
        if amendment.approvals.filter(party_code=code).exists():
            raise Conflict(_("Your party has already decided."))
        now = timezone.now()
        entry = append_event(
            actor=actor,
            event_type=events.LEXICON_AMENDMENT_DECIDED,
            data={
                "entry": f"{amendment.section}.{amendment.key}",
                "proposed": amendment.proposed,
                "decision": decision,
                "note": note,
            },
            subjects=[subject("agreements.lexicon_amendment", amendment.public_id)],
            audience=[ALL_MEMBERS],
        )
        LexiconApproval.objects.create(
            amendment=amendment,
            party_code=code,
            decision=decision,
            note=note,
            by=actor.user,
            at=now,
            entry_seq=entry.seq,
        )
        decided = dict(amendment.approvals.values_list("party_code", "decision"))
        if decision == ApprovalDecisionChoices.REFUSE:
            amendment.state, amendment.decided_at = AmendmentStateChoices.REFUSED, now
            amendment.save(update_fields=["state", "decided_at"])
        elif all(decided.get(c) == ApprovalDecisionChoices.APPROVE for c in amendment.required):
            amendment.state, amendment.decided_at = AmendmentStateChoices.APPLIED, now
            amendment.save(update_fields=["state", "decided_at"])
            append_event(
                actor=actor,
                event_type=events.LEXICON_AMENDMENT_APPLIED,
                data={
                    "entry": f"{amendment.section}.{amendment.key}",
                    "names": amendment.proposed,
                    "approved_by": sorted(decided),
                },
                subjects=[subject("agreements.lexicon_amendment", amendment.public_id)],
                audience=[ALL_MEMBERS],
            )
    return amendment
