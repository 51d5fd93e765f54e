"""suite.fields: single-field checks (save names, hints, headers, URLs, regions, versions, names)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from s3tester.suite import fields


def test_save_names() -> None:
    assert fields.save_problems({"etag": "ETag", "a.b-c_d": "x"}) == []
    found = [m for _, m in fields.save_problems({"": "x", "bucket": "x", "run_id": "x", "bucket:a": "x", "9x": "x"})]
    assert len(found) == 5 and "must not be empty" in found[0] and "built-in" in found[1]


def test_references() -> None:
    assert fields.reference_problems({"B": "${bucket:src}-${now:+60}-${now:-86400}"}) == []
    assert len(fields.reference_problems(["${bucket:!!!}", "${bucket:A_b}", "${now:+1h}"])) == 3


def test_headers() -> None:
    assert fields.header_problems({"X-Ok": "v\tw", "${name}": "x"}, ("h",)) == []
    found = fields.header_problems({"Bad Name": "v", "X": "a\r\nb"}, ("h",))
    assert [loc for loc, _ in found] == [("h", "Bad Name", "__key__"), ("h", "X")]


def test_http_urls_and_paths() -> None:
    ok = SimpleNamespace(url="http://h:9/x", path=None, headers={})
    assert fields.http_problems(ok) == []
    assert "no path" in fields.http_problems(SimpleNamespace(url="http://h:9", path=None, headers={}))[0][1]
    assert "start with '/'" in fields.http_problems(SimpleNamespace(url=None, path="b/k", headers={}))[0][1]
    assert fields.http_problems(SimpleNamespace(url="${url}", path=None, headers={})) == []


@pytest.mark.parametrize(("value", "bad"), [("us-east-1", False), ("garage", False), ("us east 1", True), ("", True)])
def test_regions(value: str, bad: bool) -> None:
    assert (fields.region_problem(value) is not None) == bad


def test_versions_and_names() -> None:
    assert fields.version_problem("1.0") is None and fields.version_problem("1") is None
    assert fields.version_problem("1/../../x") and fields.version_problem("latest")
    assert fields.name_problem("suite name", "s3-conformance") is None
    assert fields.name_problem("suite name", "../x") and fields.name_problem("suite name", "a..b")
    assert fields.check_meta("ok", "v1") == [("version", "version 'v1' must be MAJOR.MINOR, like 1.0")]
