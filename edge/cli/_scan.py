"""`edge devices scan`: what an IT technician needs to register readers — serial ports by their
stable by-id path with USB ids, keyboard-wedge readers, and the mDNS peers on the network."""

from __future__ import annotations

import os
import time
from pathlib import Path

from serial.tools import list_ports

BY_ID = Path("/dev/serial/by-id")
SERVICE_TYPES = ("_classedge._tcp.local.", "_http._tcp.local.")


def stable_paths() -> dict[str, str]:
    """Device node → its /dev/serial/by-id link (the path to register: it survives replugs)."""
    if not BY_ID.is_dir():
        return {}
    return {os.path.realpath(link): str(link) for link in sorted(BY_ID.iterdir())}


def serial_lines() -> list[str]:
    by_id = stable_paths()
    lines = []
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        usb = f"{port.vid:04x}:{port.pid:04x}" if port.vid is not None and port.pid else "-"
        path = by_id.get(os.path.realpath(port.device), port.device)
        lines.append(
            f"  {path}\n    usb {usb}  serial {port.serial_number or '-'}  {port.description}"
        )
    return lines or ["  none found"]


def wedge_lines() -> list[str]:
    from devices.readers import list_wedge_devices

    found = [f"  {device.path}  {device.name}" for device in list_wedge_devices()]
    return found or ["  none found"]


def mdns_lines(seconds: float) -> list[str]:
    from zeroconf import ServiceBrowser, ServiceStateChange, Zeroconf

    seen: dict[str, str] = {}

    def changed(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is not ServiceStateChange.Added:
            return
        info = zeroconf.get_service_info(service_type, name, timeout=1000)
        where = ", ".join(f"{a}:{info.port}" for a in info.parsed_addresses()) if info else "?"
        seen[name] = where

    try:
        zeroconf = Zeroconf()
    except OSError as err:
        return [f"  mDNS unavailable here: {err}"]
    browser = ServiceBrowser(zeroconf, list(SERVICE_TYPES), handlers=[changed])
    try:
        time.sleep(seconds)
    finally:
        browser.cancel()  # its thread, else it outlives the scan
        zeroconf.close()
    return [f"  {name}  {where}" for name, where in sorted(seen.items())] or ["  none heard"]


def print_scan(seconds: float) -> None:
    print("Serial ports (register the by-id path):")
    print("\n".join(serial_lines()))
    print("Keyboard-wedge readers (/dev/input/by-id):")
    print("\n".join(wedge_lines()))
    print(f"mDNS peers ({seconds:g} s):")
    print("\n".join(mdns_lines(seconds)))
