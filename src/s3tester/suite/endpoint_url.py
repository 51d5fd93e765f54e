"""Endpoint URL syntax, checked once for every source of an endpoint (`--endpoint`, a vendor
profile, a single-file config, S3_ENDPOINT / AWS_ENDPOINT_URL*): a mistake is a config
error (exit 2), never a connection attempt or a traceback.

An endpoint is `http://` or `https://`, a host (a name, an IPv4 address or a bracketed
IPv6 address), an optional port 1-65535, an optional path, and nothing else: no query, no
fragment, no whitespace or control characters.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from s3tester.masking import shown_url

_HOST = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$")


def endpoint_problem(url: str) -> str | None:
    """What is wrong with `url` as an endpoint, or None."""
    if not url.strip():
        return "is empty"
    bad = next((c for c in url if ord(c) < 0x21 or 0x7F <= ord(c) <= 0xA0 or c in "\u200b\u200c\u200d\u2060\ufeff"), None)
    if bad is not None:
        return f"contains U+{ord(bad):04X} (whitespace or an invisible character)"
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return "must start with http:// or https://"
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. "Invalid IPv6 URL"
        return f"is not a valid URL ({exc})"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return "must not have a query string or fragment"
    netloc = parts.netloc.rpartition("@")[2]
    if not netloc or not parts.hostname:
        return "has no host"
    try:
        port = parts.port
    except ValueError:
        port_text = netloc.rpartition("]")[2] if netloc.startswith("[") else netloc
        return f"port '{port_text.rpartition(':')[2]}' is not a number in 1-65535"
    if port is not None and not 1 <= port <= 65535:
        return f"port {port} is not in 1-65535"
    if netloc.rstrip(":").endswith(":") or (netloc.endswith(":") and port is None):
        return "has an empty port"
    host = parts.hostname
    if netloc.startswith("["):
        try:
            ipaddress.IPv6Address(host.split("%")[0])
        except ValueError:
            return f"'[{host}]' is not an IPv6 address"
    elif ":" in host or not _HOST.match(host) or ".." in host:
        return f"host '{host}' is not a host name or IP address"
    return None


def check_endpoint(url: str, source: str) -> str:
    """`url` if it is a valid endpoint; else ValueError naming `source` (e.g. '--endpoint',
    'S3_ENDPOINT'), with any password in the URL masked."""
    problem = endpoint_problem(url)
    if problem:
        raise ValueError(f"{source} '{shown_url(url)}' {problem}")
    return url
