"""Where a request of the sandbox may go: a webhook delivery or a scenario's ``fetch@v2``.

Under ``--deny-private-webhooks`` (a sandbox others can reach) neither goes to a loopback,
private, link-local, reserved, multicast or unspecified address: the sandbox must not be a
way into its own network.
"""

from __future__ import annotations

import ipaddress
import socket


def private_address(host: str) -> str | None:
    """The private address ``host`` resolves to, if any (``--deny-private-webhooks``)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            return str(address)
    return None
