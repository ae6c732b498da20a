"""``coordcell cell init``: the first run of a fresh installation.

After ``migrate`` and ``scenario load`` the cell has parties but no people: this command
gives each party of the current arrangement a delegation and — while nobody administers
it — a one-time invitation for its first cell administrator, printed here once. From then
on each party's own administrators add its people; nobody else can (the mediator neither).

It lives in the ``agreements`` app because it reads the current arrangement, which the
``parties`` app below it may not import; the work itself is ``parties.services.init_cell``.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from coordcell.agreements.selectors import get_version, party_codes
from coordcell.core import timefmt
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.parties.selectors import awaiting_invitation
from coordcell.parties.services import INVITED, PENDING, init_cell

INIT_HELP = (
    "Give each party of the current arrangement a delegation if it has none and, while "
    "nobody administers it, a one-time invitation link for its first cell administrator, "
    "printed once (see docs/deployment.md). Safe to run again: it only adds what is missing."
)


class Command(BaseCommand):
    help = "Set up a fresh cell: delegations and first-administrator invitations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help=INIT_HELP, description=INIT_HELP)
        init.add_argument(
            "--base-url",
            metavar="URL",
            help="The address people open the cell at, e.g. https://cell.example.org "
            "(default: COORDCELL_BASE_URL). Needed only when a link is to be printed.",
        )
        init.add_argument(
            "--reissue",
            metavar="PARTY",
            action="append",
            default=[],
            help="Replace the party's pending invitation (a lost link) with a new one; "
            "refused once the party has an administrator. May be given several times.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.console(getpass.getuser())
        try:
            version = get_version(actor, None, None)
        except NotFound:
            raise CommandError(
                "no arrangement is loaded: run coordcell scenario load NAME|PATH first"
            ) from None
        codes = party_codes(version)
        reissue = list(dict.fromkeys(options["reissue"]))
        base_url = (options["base_url"] or settings.BASE_URL).rstrip("/")
        if base_url and not base_url.startswith(("https://", "http://")):
            raise CommandError(f"--base-url must start with https:// or http://; got {base_url!r}")
        if not base_url and (reissue or awaiting_invitation(codes)):
            raise CommandError(
                "an invitation link is to be printed: give --base-url URL (the address people "
                "open the cell at) or set COORDCELL_BASE_URL; nothing was changed"
            )
        try:
            results = init_cell(actor=actor, party_codes=codes, reissue=reissue)
        except ValidationFailed as exc:
            raise CommandError(
                "; ".join(m for ms in exc.fields.values() for m in ms) + "; nothing was changed"
            ) from None

        key = version.arrangement.key

        def when(moment: Any) -> str:
            # The arrangement's local time, named, beside UTC (as the pages show it).
            return timefmt.local_time_text(moment, version.time_zone, named=True)

        self.stdout.write(f"cell init: {key} version {version.number}, {len(codes)} parties")
        width = max(len(r.party.code) for r in results)
        for r in results:
            head = f"  {r.party.code:<{width}}  {r.party.names['en']}: "
            if r.delegation_created:
                head += f'delegation "{r.delegation.names["en"]}" created; '
            if r.status == INVITED:
                assert r.invitation is not None
                path = reverse("invitation", kwargs={"token": r.token})
                self.stdout.write(head + "first cell administrator invited:")
                self.stdout.write(self.style.SUCCESS(f"      {base_url}{path}"))
                self.stdout.write(f"      (works once, until {when(r.invitation.expires_at)})")
            elif r.status == PENDING:
                assert r.invitation is not None
                self.stdout.write(
                    head + f"invitation pending until {when(r.invitation.expires_at)}"
                    f" (link lost? coordcell cell init --reissue {r.party.code})"
                )
            else:
                self.stdout.write(head + "administered by its own cell administrators")
        if any(r.status == INVITED for r in results):
            self.stdout.write(
                "Give each link to that party's first administrator through a channel the "
                "party trusts. Links are stored only as hashes: they are shown now and never "
                "again."
            )
