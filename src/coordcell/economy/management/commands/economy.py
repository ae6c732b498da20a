"""``coordcell economy export --format iati|hxl-projects|hxl-pledges --user U -o FILE``:
the economic zone's exports as one account reads them, through the function the API and
the page call (``economy.exports.export``; ``docs/economy-exports.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coordcell.core.actor import Actor
from coordcell.core.errors import DomainError, ValidationFailed
from coordcell.economy import exports


def _actor(username: str) -> Actor:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"{username}: no such account")
    return Actor.from_user(user)


class Command(BaseCommand):
    help = "The economic zone's exports (IATI 2.03 XML, HXL-tagged CSVs) as an account reads them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser(
            "export",
            help="Write the projects and their money as IATI 2.03 activity XML, or the "
            "projects or the pledges as an HXL-tagged CSV.",
        )
        exp.add_argument("--format", required=True, choices=list(exports.FORMATS))
        exp.add_argument("--user", required=True, help="The account whose reading is exported.")
        exp.add_argument("-o", "--output", required=True, help="The file to write.")
        exp.add_argument(
            "--donors",
            choices=list(exports.DONOR_MODES),
            default="pseudonyms",
            help="pseudonyms (default): a donor is named only if it chose to be; names: as "
            "the account may name it (the mediator and the donor's own people).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = _actor(options["user"])
        try:
            found = exports.export(actor, options["format"], options["donors"])
        except ValidationFailed as exc:
            for field, messages in exc.fields.items():
                for message in messages:
                    self.stderr.write(f"{field}: {message}")
            raise CommandError("nothing was written") from None
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        try:
            Path(options["output"]).write_bytes(found.content)
        except OSError as exc:
            raise CommandError(f"{options['output']}: {exc.strerror}") from None
        self.stdout.write(f"{options['output']}: {len(found.content)} bytes ({found.media_type})")
