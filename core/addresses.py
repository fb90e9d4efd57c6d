"""Who a request comes from, behind reverse proxies: one rule for every part of the service
(console logins, the web chat's limits, stream caps)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network


def networks(proxies: Iterable[str]) -> tuple[Network, ...]:
    """server.trusted_proxies (addresses or CIDRs) as networks."""
    return tuple(ip_network(proxy.strip(), strict=False) for proxy in proxies)


def parse_address(text: str) -> Address | None:
    """An IP address (an IPv4-mapped IPv6 one as IPv4), or None."""
    try:
        address = ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(peer: str, forwarded_for: Sequence[str], proxies: Sequence[Network]) -> str:
    """The client's address: the peer's, or — when the peer is one of `proxies` — the last
    address in X-Forwarded-For that is not one of them (each proxy appends what it saw, so what
    a client wrote there itself stays to the left and is never believed)."""
    found = parse_address(peer)
    if found is None:
        return (peer or "unknown")[:64]
    address = found
    if _trusted(address, proxies):
        hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
        for hop in reversed(hops):
            parsed = parse_address(hop)
            if parsed is None:  # not an address: believe nothing further left
                break
            address = parsed
            if not _trusted(address, proxies):
                break
    return str(address)


def limit_key(address: str) -> str:
    """Whom a per-address limit counts: an IPv6 client by its /64 (one host gets a whole one
    and picks addresses from it — privacy addresses do so on their own), else the address."""
    found = parse_address(address)
    if isinstance(found, IPv6Address):
        return str(ip_network(f"{found}/64", strict=False))
    return address[:64]


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)
