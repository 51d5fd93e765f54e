from __future__ import annotations

from s3tester.suite import operations


def test_the_model_knows_every_operation() -> None:
    names = operations.operation_names()
    assert len(names) > 90
    assert {"PutObject", "ListObjectsV2", "CompleteMultipartUpload"} <= set(names)
    assert operations.method_name("ListObjectsV2") == "list_objects_v2"


def test_unknown_and_mistyped_params_are_reported_with_paths() -> None:
    problems = operations.check_params("PutObject", {"Bucket": "b", "Key": "k", "Bodyy": "x", "Metadata": {"a": 1}})
    assert ((("Bodyy",), "unknown parameter 'Bodyy' for PutObject (did you mean 'Body'?)")) in problems
    assert (("Metadata", "a"), "parameter 'Metadata.a' must be a string, got integer 1") in problems


def test_missing_required_and_nested_paths() -> None:
    problems = dict(operations.check_params("DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "a"}, {"Kee": "b"}]}}))
    assert problems[("Delete", "Objects", 1, "Kee")].startswith("unknown parameter 'Kee'")
    assert "missing required parameter 'Key'" in problems[("Delete", "Objects", 1)]


def test_variables_stand_in_for_any_type() -> None:
    assert operations.check_params("GetObject", {"Bucket": "${bucket}", "Key": "k", "PartNumber": "${n}", "IfModifiedSince": "${now}"}) == []
    assert operations.check_params("CopyObject", {"Bucket": "b", "Key": "k", "CopySource": {"Bucket": "b", "Key": "s"}}) == []
