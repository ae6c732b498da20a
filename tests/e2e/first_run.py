"""A real installation's first run, from an empty database to a lodged complaint.

Run by ``test_first_run.py`` as ``python -m tests.e2e.first_run DATA_DIR`` in its own
process: Django is set up there on a SQLite data directory of its own (not the suite's test
database, which already holds the demo's people), with the second-factor rule on, as in
production. The test gives it a copy of the database ``coordcell migrate`` made on an empty
data directory once for the run, so its own ``migrate`` finds every migration applied; the
script works as well on an empty data directory, where that ``migrate`` applies them. The
commands go through coordcell's own entry point (``coordcell.cli.main``), the pages through
Django's full request stack (every middleware, CSRF included), with the test settings' fast
password hashing.

The path, as docs/deployment.md tells an operator:

1. ``coordcell migrate``, ``coordcell scenario load southern_syria_2026`` (loading another
   arrangement into the same database is then refused);
2. ``coordcell cell init --base-url …`` prints one invitation link per party;
3. Israel's first administrator opens the link, chooses a user name and password, scans
   the TOTP secret and proves it with a code: the account is made;
4. they sign in with password and TOTP code, and create an account for a liaison officer
   in their own delegation, which hands them the officer's one-time setup link;
5. the officer sets a password, signs in, is sent to enrol TOTP (allauth asks for the
   password again first), enrols, and lodges a complaint about Syria on the page.

Every step asserts what it sees; the script prints ``first run: ok`` at the end.
"""

from __future__ import annotations

import contextlib
import html
import io
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

BASE_URL = "http://testserver"
PASSWORD = "correct-horse-battery-77"
OFFICER_PASSWORD = "staple-lantern-orbit-42"
#: A second arrangement (``other_cell``), which this database must refuse.
OTHER_ARRANGEMENT = Path(__file__).resolve().parents[1] / "integration" / "scenarios" / "other_cell"


def coordcell(*args: str) -> str:
    """``coordcell ARGS`` through the console script's own entry point; its output."""
    from coordcell.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["coordcell", *args])
    return out.getvalue()


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def totp_code(secret: str) -> tuple[str, int]:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // 30
    return format_hotp_value(hotp_value(secret, counter)), counter


def post_with_code(client: Any, url: str, secret: str, data: dict[str, str]) -> Any:
    """POST ``data`` with the current TOTP code; once more if the 30 s window turned between
    computing the code and the server checking it (the only way a right code is refused)."""
    code, counter = totp_code(secret)
    response = client.post(url, {**data, "code": code})
    if response.status_code != 302 and int(time.time()) // 30 != counter:
        code, _ = totp_code(secret)
        response = client.post(url, {**data, "code": code})
    return response


def secret_on(page: Any) -> str:
    match = re.search(r'id="authenticator_secret" type="text" value="([A-Z2-7]+)"', text(page))
    assert match is not None, text(page)
    return match.group(1)


def run() -> None:
    from django.test import Client

    # 1. The documented install (what migrate did is printed, for the test to read).
    print(coordcell("migrate", "-v", "1"), end="")
    loaded = coordcell("scenario", "load", "southern_syria_2026")
    assert "as version 1" in loaded, loaded
    # One database, one arrangement: another is refused, status 2, with no traceback.
    refused = io.StringIO()
    status: object = None
    try:
        with contextlib.redirect_stderr(refused):
            coordcell("scenario", "load", str(OTHER_ARRANGEMENT))
    except SystemExit as exit_:
        status = exit_.code
    assert status == 2, (status, refused.getvalue())
    assert "holds the arrangement southern_syria_2026" in refused.getvalue(), refused.getvalue()
    assert "Traceback" not in refused.getvalue()

    # 2. First run: a delegation and an invitation per party, each link printed once.
    printed = coordcell("cell", "init", "--base-url", BASE_URL)
    links = dict(
        re.findall(r"^  (\S+) .*\n\s+http://testserver(/accounts/invitation/\S+/)$", printed, re.M)
    )
    assert sorted(links) == ["icrc", "il", "jo", "sy", "undof", "us"], printed
    again = coordcell("cell", "init")
    assert "/accounts/invitation/" not in again, again

    from coordcell.accounts.models import User
    from coordcell.cases.models import Case
    from coordcell.parties.models import Delegation

    # Nobody can do anything yet.
    assert Client().get("/").status_code == 302  # to the sign-in page

    # 3. Israel's first administrator accepts the invitation, with TOTP.
    admin = Client(enforce_csrf_checks=True)
    page = admin.get(links["il"])
    assert page.status_code == 200, text(page)
    assert "First cell administrator of Israel" in text(page)
    secret = secret_on(page)
    form = {
        "csrfmiddlewaretoken": admin.cookies["csrftoken"].value,
        "username": "noa.levi",
        "full_name": "Noa Levi (fictional)",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    done = post_with_code(admin, links["il"], secret, form)
    assert (done.status_code, done.get("Location")) == (302, "/accounts/login/"), text(done)
    login = admin.get("/accounts/login/")
    assert "Your account noa.levi is ready." in text(login)
    assert admin.get(links["il"]).status_code == 410  # used: the link works no more

    # 4. First sign-in: password, then the code from the app.
    step = admin.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": admin.cookies["csrftoken"].value,
            "login": "noa.levi",
            "password": PASSWORD,
        },
    )
    assert step["Location"] == "/accounts/2fa/authenticate/", text(step)
    signed_in = post_with_code(
        admin,
        "/accounts/2fa/authenticate/",
        secret,
        {"csrfmiddlewaretoken": admin.cookies["csrftoken"].value},
    )
    assert signed_in.status_code == 302, text(signed_in)
    home = admin.get("/")
    assert home.status_code == 200, text(home)
    assert "No active membership" not in text(home)

    # ... and adds a liaison officer to Israel's delegation.
    israel = Delegation.objects.get(party__code="il")
    syria = Delegation.objects.get(party__code="sy")
    refused = admin.post(
        f"/delegations/{syria.public_id}/people/new/",
        {
            "csrfmiddlewaretoken": admin.cookies["csrftoken"].value,
            "username": "sy.plant",
            "full_name": "",
            "role": "liaison_officer",
        },
    )
    assert refused.status_code == 403  # another party's delegation: never
    created = admin.post(
        f"/delegations/{israel.public_id}/people/new/",
        {
            "csrfmiddlewaretoken": admin.cookies["csrftoken"].value,
            "username": "avi.cohen",
            "full_name": "Avi Cohen (fictional)",
            "role": "liaison_officer",
        },
    )
    assert created.status_code == 200, text(created)
    setup = r'<p class="secret"[^>]*>http://testserver(/accounts/setup/[^<]+)</p>'
    match = re.search(setup, text(created))
    assert match is not None, text(created)
    setup_link = match.group(1)

    # 5. The officer sets a password with their own link, signs in, enrols TOTP.
    officer = Client(enforce_csrf_checks=True)
    form_url = officer.get(setup_link)["Location"]
    page = officer.get(form_url)
    assert page.status_code == 200
    set_password = officer.post(
        form_url,
        {
            "csrfmiddlewaretoken": officer.cookies["csrftoken"].value,
            "new_password1": OFFICER_PASSWORD,
            "new_password2": OFFICER_PASSWORD,
        },
    )
    assert set_password["Location"] == "/accounts/login/", text(set_password)
    officer.get("/accounts/login/")
    officer.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": officer.cookies["csrftoken"].value,
            "login": "avi.cohen",
            "password": OFFICER_PASSWORD,
        },
    )
    # Without a second factor every page sends them to enrol one.
    assert officer.get("/cases/new/")["Location"] == "/accounts/2fa/totp/activate/"
    enrol = officer.get("/accounts/2fa/totp/activate/", follow=True)
    reauthenticate = enrol.redirect_chain[-1][0]
    assert reauthenticate.startswith("/accounts/reauthenticate/"), enrol.redirect_chain
    officer.post(
        reauthenticate,
        {"csrfmiddlewaretoken": officer.cookies["csrftoken"].value, "password": OFFICER_PASSWORD},
    )
    page = officer.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, text(page)
    activated = post_with_code(
        officer,
        "/accounts/2fa/totp/activate/",
        secret_on(page),
        {"csrfmiddlewaretoken": officer.cookies["csrftoken"].value},
    )
    assert activated.status_code == 302, text(activated)

    # ... and lodges a complaint about Syria through the page.
    assert officer.get("/cases/new/").status_code == 200
    lodged = officer.post(
        "/cases/new/",
        {
            "csrfmiddlewaretoken": officer.cookies["csrftoken"].value,
            "respondent": "sy",
            "title": "Armed personnel in the Area of Separation (fictional)",
            "kind": "military_presence",
            "occurred_from": "2026-05-02T04:15",
            "time_precision": "minute",
            "lat": "33.12595",
            "lon": "35.82461",
            "uncertainty_m": "200",
            "summary": "Armed personnel seen in the Area of Separation (fictional).",
        },
    )
    assert lodged.status_code == 302, text(lodged)
    case = Case.objects.get()
    assert (case.complainant.code, case.respondent.code) == ("il", "sy")
    assert lodged["Location"] == f"/cases/{case.public_id}/"
    assert officer.get(lodged["Location"]).status_code == 200
    assert set(User.objects.values_list("username", flat=True)) == {"noa.levi", "avi.cohen"}
    print("first run: ok")


if __name__ == "__main__":
    os.environ["COORDCELL_DATA_DIR"] = sys.argv[1]
    import django

    django.setup()
    run()
