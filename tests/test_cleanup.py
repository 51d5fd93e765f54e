"""remove_bucket against moto: objects, versions, delete markers, uploads, object lock; fallbacks and reasons."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from botocore.exceptions import ClientError

from s3tester.run.cleanup import remove_bucket


def fresh(s3: Any, **kwargs: Any) -> str:
    name = f"s3t-test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, **kwargs)
    return name


def exists(s3: Any, name: str) -> bool:
    return name in {b["Name"] for b in s3.list_buckets()["Buckets"]}


class Refuses:
    """A client that may not delete anything (as a credential set without rights)."""

    def __init__(self, code: str = "AccessDenied") -> None:
        self.code = code
        self.calls = 0

    def delete_bucket(self, Bucket: str) -> None:
        self.calls += 1
        raise ClientError({"Error": {"Code": self.code, "Message": "no"}}, "DeleteBucket")


def test_an_empty_bucket_and_a_missing_one_are_both_gone(s3: Any) -> None:
    name = fresh(s3)
    assert remove_bucket([s3], name) is None and not exists(s3, name)
    assert remove_bucket([s3], name) is None, "already gone counts as removed"


def test_objects_versions_markers_and_uploads_are_removed(s3: Any) -> None:
    name = fresh(s3)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    for i in range(3):
        s3.put_object(Bucket=name, Key="same", Body=f"v{i}".encode())
    s3.put_object(Bucket=name, Key="dir/other", Body=b"x")
    s3.delete_object(Bucket=name, Key="same")  # a delete marker
    s3.create_multipart_upload(Bucket=name, Key="pending")
    assert len(s3.list_object_versions(Bucket=name)["Versions"]) == 4
    assert remove_bucket([s3], name) is None
    assert not exists(s3, name)


def test_governance_retention_and_legal_hold_do_not_keep_a_bucket(s3: Any) -> None:
    name = fresh(s3, ObjectLockEnabledForBucket=True)
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    s3.put_object(Bucket=name, Key="kept", Body=b"x", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until)
    s3.put_object(Bucket=name, Key="held", Body=b"y", ObjectLockLegalHoldStatus="ON")
    assert remove_bucket([s3], name) is None
    assert not exists(s3, name)


def test_a_set_without_rights_falls_back_to_the_next(s3: Any) -> None:
    name = fresh(s3)
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    refuses = Refuses()
    assert remove_bucket([refuses, s3], name) is None
    assert refuses.calls == 1 and not exists(s3, name)


def test_the_reason_is_reported_when_no_client_can_remove_it() -> None:
    assert remove_bucket([Refuses(), Refuses()], "s3t-x-0000") == "s3t-x-0000: AccessDenied"


def test_clients_are_tried_lazily(s3: Any) -> None:
    name = fresh(s3)
    later = Refuses()
    assert remove_bucket(iter([s3, later]), name) is None
    assert later.calls == 0, "the second set is not used when the first one can remove it"


class Recording:
    """Wraps a client: the operations it was asked for, in order; `hide_versions` makes
    ListObjectVersions fail, as on a server without versioning."""

    def __init__(self, client: Any, hide_versions: bool = False, no_versions: bool = False) -> None:
        self.client, self.hide_versions, self.no_versions = client, hide_versions, no_versions
        self.calls: list[str] = []

    def get_paginator(self, name: str) -> Any:
        self.calls.append(name)
        if name == "list_object_versions" and self.hide_versions:
            raise ClientError({"Error": {"Code": "NotImplemented", "Message": "no"}}, "ListObjectVersions")
        if name == "list_object_versions" and self.no_versions:
            return type("Empty", (), {"paginate": lambda _self, **_kw: iter([{}])})()
        return self.client.get_paginator(name)

    def __getattr__(self, name: str) -> Any:
        self.calls.append(name)
        return getattr(self.client, name)


def test_a_whole_version_listing_spares_the_current_key_listing(s3: Any) -> None:
    name = fresh(s3)
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    client = Recording(s3)
    assert remove_bucket([client], name) is None and not exists(s3, name)
    assert client.calls == ["delete_bucket", "list_multipart_uploads", "list_object_versions", "delete_objects",
                            "delete_bucket"]


def test_without_versions_the_current_keys_are_listed_and_deleted(s3: Any) -> None:
    name = fresh(s3)
    s3.put_object(Bucket=name, Key="a b+c", Body=b"x")
    client = Recording(s3, hide_versions=True)
    assert remove_bucket([client], name) is None and not exists(s3, name)
    assert "list_objects_v2" in client.calls


def test_a_version_listing_that_misses_keys_falls_back_on_bucket_not_empty(s3: Any) -> None:
    name = fresh(s3)
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    client = Recording(s3, no_versions=True)  # lists no versions at all, yet the key is there
    assert remove_bucket([client], name) is None and not exists(s3, name)
    assert client.calls[-4:] == ["delete_bucket", "list_objects_v2", "delete_objects", "delete_bucket"]
