"""clients_matrix: the clients × vendors table from client-suite golden or results files."""

from __future__ import annotations

from s3tester.results.clients_matrix import clients_markdown
from s3tester.results.golden import Golden, GoldenCase
from s3tester.results.matrix import build
from s3tester.results.records import Summary


def golden(vendor: str, suite: str, statuses: dict[str, str]) -> Golden:
    return Golden(suite=suite, suite_version="1.0", vendor=vendor, vendor_version="1",
                  summary=Summary(total=len(statuses)),
                  cases={cid: GoldenCase(status=s) for cid, s in statuses.items()})  # type: ignore[arg-type]


def test_one_row_per_client_one_column_per_vendor() -> None:
    moto = golden("moto", "s3-clients", {"rclone/a": "passed", "rclone/b": "passed", "duckdb/a": "failed", "restic/a": "skipped"})
    weed = golden("seaweedfs", "s3-clients", {"rclone/a": "passed", "rclone/b": "failed", "duckdb/a": "passed", "restic/a": "passed"})
    text = clients_markdown(build([moto, weed]))
    assert "## Clients × vendors" in text and "| client | moto 1 | seaweedfs 1 |" in text
    assert "| rclone | ✅ 2/2 | ⚠️ 1/2 |" in text
    assert "| duckdb | ❌ 0/1 | ✅ 1/1 |" in text
    assert "| restic | skipped (not installed?) | ✅ 1/1 |" in text
    assert "| rclone/b | ✅ | ❌ |" in text


def test_nothing_without_a_client_suite_column() -> None:
    assert clients_markdown(build([golden("moto", "s3-conformance", {"objects/a": "passed"})])) == ""
