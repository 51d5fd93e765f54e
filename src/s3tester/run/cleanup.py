"""Empty and delete a bucket the run created: versions, delete markers, uploads, then the bucket.

Only ever called with names the run generated (run-unique prefix), so it cannot touch
data the run did not create.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

GONE = {"NoSuchBucket", "404", "NotFound"}


def _code(exc: Any) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def _delete_keys(client: Any, name: str, keys: list[dict[str, str]]) -> None:
    from botocore.exceptions import ClientError

    for start in range(0, len(keys), 1000):
        batch = keys[start : start + 1000]
        try:
            response = client.delete_objects(
                Bucket=name, Delete={"Objects": batch, "Quiet": True}, BypassGovernanceRetention=True
            )
            failed = {e.get("Key") for e in response.get("Errors", [])}  # some omit VersionId
            if not failed:
                continue
            batch = [k for k in batch if k["Key"] in failed]  # locked ones: one by one below
        except ClientError:
            pass  # some servers lack DeleteObjects or bypass: fall back to one by one
        for key in batch:
            kwargs: dict[str, Any] = {"Bucket": name, "Key": key["Key"]}
            if key.get("VersionId"):
                kwargs["VersionId"] = key["VersionId"]
            try:
                client.delete_object(BypassGovernanceRetention=True, **kwargs)
            except ClientError:
                with contextlib.suppress(ClientError):  # a legal hold stops even a bypass: lift it
                    client.put_object_legal_hold(LegalHold={"Status": "OFF"}, **kwargs)
                with contextlib.suppress(ClientError):
                    client.delete_object(BypassGovernanceRetention=True, **kwargs)
                with contextlib.suppress(ClientError):
                    client.delete_object(**kwargs)


def empty_bucket(client: Any, name: str) -> None:
    """Abort uploads, delete every version and delete marker; list current keys too only
    when the version listing did not cover them (a server without versions, say)."""
    _abort_uploads(client, name)
    if not _delete_versions(client, name):
        delete_current(client, name)


def _abort_uploads(client: Any, name: str) -> None:
    from botocore.exceptions import ClientError

    try:
        for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=name):
            for upload in page.get("Uploads", []):
                with contextlib.suppress(ClientError):
                    client.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
    except ClientError:
        pass


def _delete_versions(client: Any, name: str) -> bool:
    """Delete what ListObjectVersions lists; True when that listing was whole (every entry
    with a version id), so a ListObjectsV2 pass would find nothing more."""
    from botocore.exceptions import ClientError

    whole = True
    try:
        for page in client.get_paginator("list_object_versions").paginate(Bucket=name):
            entries = page.get("Versions", []) + page.get("DeleteMarkers", [])
            keys = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in entries if v.get("VersionId")]
            whole = whole and len(keys) == len(entries)
            _delete_keys(client, name, keys)
    except ClientError:
        return False
    return whole


def delete_current(client: Any, name: str) -> None:
    """Delete every key ListObjectsV2 lists (unversioned deletes)."""
    from botocore.exceptions import ClientError

    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
            _delete_keys(client, name, [{"Key": o["Key"]} for o in page.get("Contents", [])])
    except ClientError:
        pass


def remove_bucket(clients: Iterable[Any], name: str) -> str | None:
    """Remove `name` with the first client that can; None when gone, else why it is left."""
    from botocore.exceptions import BotoCoreError, ClientError

    reason = None
    for client in clients:
        try:
            try:  # one request in the common case: the bucket is empty or already gone
                client.delete_bucket(Bucket=name)
                return None
            except ClientError as exc:
                if _code(exc) in GONE:
                    return None
                if _code(exc) in ("AccessDenied", "403"):
                    reason = f"{name}: AccessDenied"
                    continue
            empty_bucket(client, name)
            try:
                client.delete_bucket(Bucket=name)
            except ClientError as exc:  # the version listing missed something: list current keys too
                if _code(exc) != "BucketNotEmpty":
                    raise
                delete_current(client, name)
                client.delete_bucket(Bucket=name)
            return None
        except ClientError as exc:
            if _code(exc) in GONE:
                return None
            reason = f"{name}: {_code(exc)}"
            if _code(exc) == "BucketNotEmpty":
                reason += " (objects under object-lock retention that cannot be bypassed, e.g. COMPLIANCE mode)"
        except BotoCoreError as exc:
            reason = f"{name}: {exc}"
    return reason
