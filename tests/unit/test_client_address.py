"""The client's address: the socket's peer, or what trusted proxies say it was."""

from __future__ import annotations

import pytest

from coordcell.core.http import client_address

PROXIES = ["127.0.0.1/32", "10.0.0.0/24"]


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        # No proxy configured: the peer, whatever the header says.
        ("192.0.2.5", "203.0.113.7", [], "192.0.2.5"),
        # The peer is not a proxy: the header is the client's own invention.
        ("192.0.2.5", "203.0.113.7", PROXIES, "192.0.2.5"),
        # One trusted proxy: the address it appended.
        ("127.0.0.1", "203.0.113.7", PROXIES, "203.0.113.7"),
        # The client's own prefix is skipped: only the proxy's last hop counts.
        ("127.0.0.1", "6.6.6.6, 203.0.113.7", PROXIES, "203.0.113.7"),
        # Two proxies in a row: walk back past every trusted hop.
        ("127.0.0.1", "6.6.6.6, 203.0.113.7, 10.0.0.3", PROXIES, "203.0.113.7"),
        # Every hop trusted: the first one.
        ("127.0.0.1", "10.0.0.9, 10.0.0.3", PROXIES, "10.0.0.9"),
        # Garbage left of a trusted hop stops the walk at the last address known good.
        ("127.0.0.1", "not-an-address", PROXIES, "127.0.0.1"),
        ("127.0.0.1", "", PROXIES, "127.0.0.1"),
        # IPv6, with and without brackets and port.
        ("127.0.0.1", "2001:db8::1", PROXIES, "2001:db8::1"),
        ("127.0.0.1", "[2001:db8::1]:4711", PROXIES, "2001:db8::1"),
        ("127.0.0.1", "203.0.113.7:4711", PROXIES, "203.0.113.7"),
    ],
)
def test_it_finds_the_real_client_address(remote, forwarded, trusted, expected) -> None:
    meta = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(meta, trusted) == expected


def test_it_answers_the_peer_when_there_is_no_header() -> None:
    assert client_address({"REMOTE_ADDR": "127.0.0.1"}, PROXIES) == "127.0.0.1"
