"""Configuration helpers: every bad value stops start-up with the variable's name."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from coordcell.core.env import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
    parse_database_url,
    parse_networks,
)


@pytest.fixture
def env(monkeypatch):
    def set_(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(key, value)

    return set_


def test_it_names_a_missing_required_variable(monkeypatch) -> None:
    monkeypatch.delenv("CC_TEST_X", raising=False)
    with pytest.raises(ConfigError, match="CC_TEST_X is required"):
        env_str("CC_TEST_X")


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("OFF", False)])
def test_it_reads_booleans(env, raw: str, expected: bool) -> None:
    env(CC_TEST_B=raw)
    assert env_bool("CC_TEST_B", not expected) is expected


def test_it_refuses_a_malformed_boolean(env) -> None:
    env(CC_TEST_B="maybe")
    with pytest.raises(ConfigError, match="CC_TEST_B must be one of"):
        env_bool("CC_TEST_B", False)


def test_it_refuses_a_malformed_or_small_integer(env) -> None:
    env(CC_TEST_I="ten")
    with pytest.raises(ConfigError, match="CC_TEST_I must be an integer"):
        env_int("CC_TEST_I", 1)
    env(CC_TEST_I="0")
    with pytest.raises(ConfigError, match="CC_TEST_I must be at least 1"):
        env_int("CC_TEST_I", 1, minimum=1)


def test_it_splits_lists_and_drops_blanks(env) -> None:
    env(CC_TEST_L=" a, ,b ,")
    assert env_list("CC_TEST_L", []) == ["a", "b"]


def test_it_reads_a_secret_from_a_file(env, tmp_path, monkeypatch) -> None:
    secret = tmp_path / "s"
    secret.write_text("from-file\n")
    monkeypatch.delenv("CC_TEST_S", raising=False)
    env(CC_TEST_S_FILE=str(secret))
    assert env_secret("CC_TEST_S") == "from-file"


def test_it_refuses_a_secret_given_twice(env) -> None:
    env(CC_TEST_S="direct", CC_TEST_S_FILE="/nonexistent")
    with pytest.raises(ConfigError, match="either CC_TEST_S or CC_TEST_S_FILE"):
        env_secret("CC_TEST_S")


def test_it_names_an_unreadable_secret_file(env, monkeypatch) -> None:
    monkeypatch.delenv("CC_TEST_S", raising=False)
    env(CC_TEST_S_FILE="/nonexistent/secret")
    with pytest.raises(ConfigError, match="CC_TEST_S_FILE: cannot read /nonexistent/secret"):
        env_secret("CC_TEST_S")


def test_it_parses_a_postgres_url() -> None:
    db = parse_database_url(
        "DATABASE_URL", "postgres://u:p%40ss@db.local:6543/cell?sslmode=require"
    )
    assert (db.name, db.user, db.password, db.host, db.port) == (
        "cell",
        "u",
        "p@ss",
        "db.local",
        "6543",
    )
    assert db.options == {"sslmode": "require"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "must start with postgres://"),
        ("postgres://u@h:5432/", "must name a database"),
        ("postgres://u@h:notaport/db", "malformed port"),
    ],
)
def test_it_refuses_a_bad_database_url(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_database_url("DATABASE_URL", url)


def test_it_normalises_allowed_networks() -> None:
    name = "COORDCELL_WEBHOOK_ALLOWED_NETWORKS"
    assert parse_networks(name, ["10.20.0.0/16", "fd00:20::/48", "192.0.2.7", "::1"]) == [
        "10.20.0.0/16",
        "fd00:20::/48",
        "192.0.2.7/32",
        "::1/128",
    ]
    assert parse_networks(name, []) == []


@pytest.mark.parametrize("bad", ["ten", "10.0.0.0/33", "10.1.2.3/8", "fd00::1/8", ""])
def test_it_refuses_a_malformed_network_naming_the_variable(bad: str) -> None:
    name = "COORDCELL_WEBHOOK_ALLOWED_NETWORKS"
    with pytest.raises(ConfigError, match=f"^{name} must be .*{re.escape(repr(bad))} is not one"):
        parse_networks(name, ["10.0.0.0/8", bad])


def _start(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COORDCELL_", "DATABASE_URL", "DJANGO_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "coordcell.cli", "check"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_start_up_stops_with_the_name_of_a_malformed_setting(tmp_path) -> None:
    result = _start(
        COORDCELL_DATA_DIR=str(tmp_path), COORDCELL_SECRET_KEY="k", DATABASE_URL="mysql://x/y"
    )
    assert result.returncode == 2
    assert "DATABASE_URL must start with postgres://" in result.stderr


def test_start_up_stops_on_a_malformed_allowed_network(tmp_path) -> None:
    result = _start(
        COORDCELL_DATA_DIR=str(tmp_path),
        COORDCELL_SECRET_KEY="k",
        COORDCELL_WEBHOOK_ALLOWED_NETWORKS="10.0.0.0/8, 10.1.2.3/8",
    )
    assert result.returncode == 2
    assert "COORDCELL_WEBHOOK_ALLOWED_NETWORKS must be" in result.stderr
    assert "'10.1.2.3/8'" in result.stderr
    assert "Traceback" not in result.stderr
