"""mDNS discovery: the box advertises itself so panel agents find it (DESIGN.md, Discovery)."""

from edge.discovery._addresses import host_addresses
from edge.discovery._advertiser import BOX_SERVICE, HTTP_SERVICE, Advertisement, Advertiser

__all__ = ["BOX_SERVICE", "HTTP_SERVICE", "Advertisement", "Advertiser", "host_addresses"]
