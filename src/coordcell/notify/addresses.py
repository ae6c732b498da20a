"""Which network addresses the webhooks' worker may connect to.

A webhook's URL is chosen by a party, but the request comes from the cell's server, from
inside the cell's network. So a host that resolves to a loopback, private, link-local,
multicast, reserved or unspecified address (the server itself, the cell's own network, a
cloud metadata service at 169.254.169.254 …) is refused, unless the address lies in one
of the networks the operators allowed (``COORDCELL_WEBHOOK_ALLOWED_NETWORKS``): a closed
network between the parties lists the parties' private networks there.

The host is checked when the webhook is registered and again at every send; the send
connects only to the addresses that were checked (see ``transport``), so a name that
resolves elsewhere between the check and the connection gains nothing.

This module uses the standard library only. The setting itself is read and validated
at start-up by ``core.env.parse_networks``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "Address",
    "Network",
    "Refused",
    "Unresolvable",
    "check_host",
    "is_internal",
    "networks",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Unresolvable(Exception):
    """The host name does not resolve (or resolves to nothing usable)."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: cannot resolve: {reason}")
        self.host = host
        self.reason = reason


class Refused(Exception):
    """The host resolves to an address the worker may not connect to."""

    def __init__(self, host: str, address: IPAddress) -> None:
        super().__init__(f"{host}: {address} is an internal address, not in the allowed networks")
        self.host = host
        self.address = address


@dataclass(frozen=True)
class Address:
    """One checked address of a host, as ``getaddrinfo`` gave it (ready to connect to)."""

    ip: IPAddress
    family: int
    sockaddr: tuple[str, int] | tuple[str, int, int, int]


def networks(items: Iterable[str | Network]) -> tuple[Network, ...]:
    """The allow-list as network objects (the setting holds strings)."""
    return tuple(
        item
        if isinstance(item, ipaddress.IPv4Network | ipaddress.IPv6Network)
        # strict=False: a value put in settings by hand is taken as the network it is in.
        else ipaddress.ip_network(item, strict=False)
        for item in items
    )


def is_internal(ip: IPAddress) -> bool:
    """Loopback, private, link-local, multicast, reserved, unspecified or otherwise not a
    public unicast address; an IPv6 address that embeds an internal IPv4 one counts too."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and is_internal(embedded):
            return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _allowed(ip: IPAddress, allowed: tuple[Network, ...]) -> bool:
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        candidates.append(ip.ipv4_mapped)
    return any(c in net for c in candidates for net in allowed)


def check_host(host: str, port: int, allowed: Iterable[str | Network]) -> list[Address]:
    """Resolve ``host`` and return its addresses if every one of them may be connected to.

    Raises :class:`Unresolvable` when it does not resolve, and :class:`Refused` when any
    of its addresses is internal and outside ``allowed`` (one bad address among good ones
    is enough: which one a connection would use is not ours to choose).
    """
    nets = networks(allowed)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError) as exc:
        raise Unresolvable(host, str(getattr(exc, "strerror", None) or exc)) from None
    found: list[Address] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        try:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        except ValueError:
            continue
        if is_internal(ip) and not _allowed(ip, nets):
            raise Refused(host, ip)
        address = Address(ip=ip, family=family, sockaddr=sockaddr)  # type: ignore[arg-type]
        if address not in found:
            found.append(address)
    if not found:
        raise Unresolvable(host, "no IPv4 or IPv6 address")
    return found
