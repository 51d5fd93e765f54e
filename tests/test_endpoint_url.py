"""suite.endpoint_url: endpoint syntax (scheme, host, port 1-65535, IPv6) for every source."""

from __future__ import annotations

import pytest

from s3tester.suite.endpoint_url import check_endpoint, endpoint_problem


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9000", "https://s3.example.test", "http://[::1]:9000", "http://localhost:1/",
    "https://h:65535/prefix", "http://user:pw@host:9000", "HTTP://h", "http://[fe80::1%25eth0]:9",
])
def test_good_endpoints(url: str) -> None:
    assert endpoint_problem(url) is None


@pytest.mark.parametrize(("url", "says"), [
    ("127.0.0.1:9000", "http:// or https://"),
    ("ftp://h", "http:// or https://"),
    ("http://", "no host"),
    ("http://:9000", "no host"),
    ("http://h:70000", "1-65535"),
    ("http://h:99999", "1-65535"),
    ("http://h:0", "1-65535"),
    ("http://h:abc", "'abc'"),
    ("http://[::1", "not a valid URL"),
    ("http://[zz::1]:9", "IPv6"),
    ("http://h/x?y=1", "query"),
    ("http://h#f", "fragment"),
    ("http://h o", "U+0020"),
    ("http://h\u200b", "U+200B"),
    ("", "empty"),
    ("http://a..b", "host"),
])
def test_bad_endpoints(url: str, says: str) -> None:
    problem = endpoint_problem(url)
    assert problem is not None and says in problem


def test_check_names_the_source_and_masks_a_password() -> None:
    with pytest.raises(ValueError, match=r"^S3_ENDPOINT 'http://\*\*\*@h:70000' port '70000'"):
        check_endpoint("http://u:s3cret@h:70000", "S3_ENDPOINT")
    assert check_endpoint("http://h", "--endpoint") == "http://h"
