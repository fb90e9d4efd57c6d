"""Who a request comes from behind reverse proxies: the one rule console logins, the web chat's
limits and the stream caps share."""

from __future__ import annotations

from core.addresses import client_address, networks

PROXIES = networks(["127.0.0.1", "10.0.0.0/8", "::1"])


def test_without_trusted_proxies_the_peer_is_the_client_whatever_it_forwards() -> None:
    assert client_address("203.0.113.7", ["198.51.100.1"], ()) == "203.0.113.7"
    assert client_address("203.0.113.7", ["198.51.100.1"], PROXIES) == "203.0.113.7"


def test_behind_trusted_proxies_the_last_untrusted_hop() -> None:
    # The client wrote a fake address itself: it stays to the left and is not believed.
    forwarded = ["6.6.6.6, 203.0.113.7", "10.1.2.3"]
    assert client_address("127.0.0.1", forwarded, PROXIES) == "203.0.113.7"
    assert client_address("::ffff:127.0.0.1", ["203.0.113.9"], PROXIES) == "203.0.113.9"


def test_garbage_stops_the_walk_and_odd_peers_are_kept_short() -> None:
    assert client_address("127.0.0.1", ["not-an-ip, 10.0.0.5"], PROXIES) == "10.0.0.5"
    assert client_address("127.0.0.1", [], PROXIES) == "127.0.0.1"
    assert client_address("", [], PROXIES) == "unknown"
    assert len(client_address("x" * 500, [], PROXIES)) == 64
