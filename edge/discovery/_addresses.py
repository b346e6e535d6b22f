"""The box's own IPv4 addresses, read from its interfaces (ifaddr, which zeroconf uses too)."""

from __future__ import annotations

import ipaddress

import ifaddr


def host_addresses(only: str = "") -> list[str]:
    """Every IPv4 address of this host but loopback ones, sorted; with `only` (comma-separated
    addresses) just those of them the host has, loopback allowed."""
    wanted = {part.strip() for part in only.split(",") if part.strip()}
    found: set[str] = set()
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if not isinstance(ip.ip, str):
                continue  # IPv6: (address, flowinfo, scope_id)
            if wanted:
                if ip.ip in wanted:
                    found.add(ip.ip)
            elif not ipaddress.IPv4Address(ip.ip).is_loopback:
                found.add(ip.ip)
    return sorted(found, key=ipaddress.IPv4Address)
