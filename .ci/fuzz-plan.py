"""The runs of .ci/fuzz-api: one line per run, tab-separated (label, token, phases, and a
regular expression of the operation ids the run is limited to, or nothing for all).

    python3 .ci/fuzz-plan.py ACCOUNTS.json SCHEMA.json COVERAGE BASE_URL

- Every account with a token gets a run of the examples and fuzzing phases, over the
  whole schema.
- The first account of each of the first COVERAGE sets of roles also gets the coverage
  phase over the whole schema (those runs go first: they are the long ones).
- An operation without a path parameter that refuses every one of those accounts (403 to
  a request with no parameter and an empty JSON body: the role is refused before
  anything is read) is given the coverage phase with the token of the first later set of
  roles it does not refuse, so that its boundary values reach its validators. Operations
  with a path parameter cannot be probed without an object: they get the coverage phase
  from the first runs only, and one that refuses those roles outright meets the other
  roles' tokens in the examples and fuzzing phases alone.

Standard library only: it runs with the machine's python3, before the fuzzer's venv is used.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request

METHODS = ("get", "post", "put", "patch", "delete")


def refuses(base: str, token: str, method: str, path: str) -> bool:
    """Whether ``token`` is refused ``method path`` outright (403)."""
    request = urllib.request.Request(  # noqa: S310 (the demo on loopback, http only)
        base + path,
        data=None if method == "get" else b"{}",
        method=method.upper(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60):  # noqa: S310 (as above)
            return False
    except urllib.error.HTTPError as answer:
        return answer.code == 403
    except (urllib.error.URLError, TimeoutError) as exc:
        sys.exit(f"fuzz-plan: {method.upper()} {path} got no answer from {base}: {exc}")


def main(accounts_file: str, schema_file: str, coverage: int, base: str) -> None:
    with open(accounts_file, encoding="utf-8") as f:
        accounts = [a for a in json.load(f)["accounts"] if a.get("token")]
    with open(schema_file, encoding="utf-8") as f:
        schema = json.load(f)
    # The first account of each set of roles, in the accounts file's order.
    sets: dict[tuple[str, ...], dict[str, str]] = {}
    for account in accounts:
        sets.setdefault(tuple(sorted(account.get("roles", ()))), account)
    leaders = list(sets.values())
    covering, later = leaders[:coverage], leaders[coverage:]

    rows = [(a["username"], a["token"], "examples,coverage,fuzzing", "") for a in covering]
    first = {a["username"] for a in covering}
    rows += [
        (a["username"], a["token"], "examples,fuzzing", "")
        for a in accounts
        if a["username"] not in first
    ]

    probed = [
        (operation["operationId"], method, path)
        for path, item in schema["paths"].items()
        if "{" not in path
        for method, operation in item.items()
        if method in METHODS
    ]
    left = [
        op
        for op in probed
        if covering and all(refuses(base, a["token"], op[1], op[2]) for a in covering)
    ]
    extra = []
    for account in later:
        if not left:
            break
        reached = [op for op in left if not refuses(base, account["token"], op[1], op[2])]
        if reached:
            ids = "|".join(sorted(re.escape(op[0]) for op in reached))
            extra.append(
                (account["username"] + "+coverage", account["token"], "coverage", f"^({ids})$")
            )
            left = [op for op in left if op not in reached]
    print(
        f"coverage phase: {len(covering)} set(s) of roles over the whole schema; "
        f"{sum(len(r[3].split('|')) for r in extra)} operation(s) refused to them covered by "
        f"{', '.join(r[0] for r in extra) or 'no other run'}; refused to every set: "
        f"{', '.join(f'{m.upper()} {p}' for _, m, p in left) or 'none'}",
        file=sys.stderr,
    )
    for row in rows[: len(covering)] + extra + rows[len(covering) :]:
        print(*row, sep="\t")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].rstrip("/"))
