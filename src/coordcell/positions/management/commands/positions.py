"""``coordcell positions import|export|seal|reveal-file --user U``: a party's positions
from the console, through the same services as the pages and the API.

Each subcommand acts as the named account (``--user``), with that person's party and
roles: the console does not declare for a party, its people do."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coordcell.core.actor import Actor
from coordcell.core.errors import DomainError, ValidationFailed
from coordcell.positions import selectors, services


def _actor(username: str) -> Actor:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"{username}: no such account")
    return Actor.from_user(user)


class Command(BaseCommand):
    help = "Import, export and seal a party's declared positions; write a reveal file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a GeoJSON FeatureCollection (all or nothing).")
        imp.add_argument("file")
        exp = sub.add_parser("export", help="Write the positions the account reads as GeoJSON.")
        exp.add_argument("file")
        exp.add_argument("--at", help="Only the positions standing that day (YYYY-MM-DD).")
        sub.add_parser("seal", help="Seal the party's baseline at the freeze's baseline date.")
        rev = sub.add_parser("reveal-file", help="Write the reveal file of a revealed item.")
        rev.add_argument("reveal", help="The reveal's id.")
        rev.add_argument("file")
        for each in (imp, exp, rev):
            each.add_argument("--user", required=True, help="The account acting.")
        sub.choices["seal"].add_argument("--user", required=True, help="The account acting.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = _actor(options["user"])
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(actor, options)
        except ValidationFailed as exc:
            for field, messages in exc.fields.items():
                for message in messages:
                    self.stderr.write(f"{field or 'file'}: {message}")
            raise CommandError("nothing was stored") from None
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None

    def _import(self, actor: Actor, options: dict[str, Any]) -> None:
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"{options['file']}: {exc.strerror}") from None
        created = services.import_positions(actor=actor, document=data)
        self.stdout.write(self.style.SUCCESS(f"{len(created)} position(s) imported"))
        for position in created:
            self.stdout.write(f"  {position.reference}  {position.name}")

    def _export(self, actor: Actor, options: dict[str, Any]) -> None:
        at = None
        if options.get("at"):
            try:
                at = dt.date.fromisoformat(options["at"])
            except ValueError:
                raise CommandError("--at: give a date as YYYY-MM-DD") from None
        collection = selectors.positions_feature_collection(actor, at)
        Path(options["file"]).write_text(json.dumps(collection, ensure_ascii=False, indent=1))
        self.stdout.write(f"{len(collection['features'])} position(s) written")

    def _seal(self, actor: Actor, options: dict[str, Any]) -> None:
        commitment = services.seal_baseline(actor=actor)
        self.stdout.write(
            self.style.SUCCESS(
                f"sealed {commitment.reference}: root {commitment.root}, {commitment.size} "
                f"leaves, as of {commitment.as_of}, record entry {commitment.entry_hash[:16]}"
            )
        )

    def _reveal_file(self, actor: Actor, options: dict[str, Any]) -> None:
        found = selectors.get_reveal(actor, options["reveal"])
        Path(options["file"]).write_text(json.dumps(found.bundle, ensure_ascii=False, indent=1))
        self.stdout.write(f"written; check it with: coordcell verify {options['file']}")
