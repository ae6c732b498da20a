"""``coordcell stix export|import … --user U``: STIX 2.1 bundles of shared items from the
console, through the same selectors and service as the API (docs/stix-taxii.md).

Each subcommand acts as the named account: an export holds what that person may read,
an import shares the bundle's items as that person's party (all or nothing)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coordcell.core.actor import Actor
from coordcell.core.errors import DomainError, ValidationFailed
from coordcell.interop import stix
from coordcell.sharing import services, stix_selectors, stix_services
from coordcell.sharing.choices import Surface, TierChoices, TlpChoices


def _actor(username: str) -> Actor:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"{username}: no such account")
    return Actor.from_user(user)


class Command(BaseCommand):
    help = "Export the shared items an account reads as a STIX 2.1 bundle, or import one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export", help="Write the items the account reads as STIX 2.1.")
        exp.add_argument("file")
        exp.add_argument("--since", help="Only items shared from then on (ISO 8601, with offset).")
        exp.add_argument("--tlp", action="append", choices=TlpChoices.values(), default=[])
        exp.add_argument("--tier", action="append", choices=TierChoices.values(), default=[])
        imp = sub.add_parser(
            "import",
            help="Share a STIX 2.1 bundle's items as the account's party (all or nothing).",
        )
        imp.add_argument("file")
        imp.add_argument("--tier", required=True, choices=TierChoices.values())
        imp.add_argument(
            "--tlp", choices=TlpChoices.values(), default="", help="TLP of unmarked objects."
        )
        imp.add_argument("--counterpart", default="", help="The party of a bilateral item.")
        imp.add_argument(
            "--rel", action="append", default=[], help="A party code the items are releasable to."
        )
        for each in (exp, imp):
            each.add_argument("--user", required=True, help="The account acting.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = _actor(options["user"])
        try:
            getattr(self, "_" + options["action"])(actor, options)
        except ValidationFailed as exc:
            for key, messages in exc.fields.items():
                for message in messages:
                    self.stderr.write(f"{key or 'file'}: {message}")
            raise CommandError("nothing was stored") from None
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None

    def _export(self, actor: Actor, options: dict[str, Any]) -> None:
        since = None
        if options.get("since"):
            try:
                since = dt.datetime.fromisoformat(options["since"])
            except ValueError:
                raise CommandError("--since: give a date and time with its offset") from None
            if since.tzinfo is None:
                raise CommandError("--since: give a date and time with its offset")
        items = list(
            stix_selectors.export_items(
                actor, since=since, tlp=options["tlp"], tier=options["tier"]
            )
        )
        document = stix_selectors.export_document(actor, items)
        for item in items:
            services.log_access(actor=actor, item=item, surface=Surface.EXPORT)
        Path(options["file"]).write_text(json.dumps(document, ensure_ascii=False, indent=1))
        self.stdout.write(f"{len(items)} item(s) written as STIX 2.1")

    def _import(self, actor: Actor, options: dict[str, Any]) -> None:
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"{options['file']}: {exc.strerror}") from None
        if len(data) > stix.MAX_BUNDLE_BYTES:
            raise CommandError(f"{options['file']}: larger than {stix.MAX_BUNDLE_BYTES} bytes")
        result = stix_services.import_bundle(
            actor=actor,
            document=data,
            tier=options["tier"],
            tlp=options["tlp"],
            counterpart=options["counterpart"],
            releasability=options["rel"],
        )
        self.stdout.write(self.style.SUCCESS(f"{len(result.created)} item(s) imported"))
        for item in result.created:
            self.stdout.write(f"  {item.reference}  {item.title}")
        for skipped in result.skipped:
            self.stdout.write(f"  already imported: {skipped}")
