"""presign steps: a presigned URL or POST form made by botocore, and used over real HTTP against moto."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import urllib3

from s3tester.run.clients import Clients
from s3tester.run.presign import presign
from s3tester.suite.models import EndpointConfig, Step
from s3tester.suite.variables import Scope


def scope(bucket: str) -> Scope:
    return Scope({"key": "hello.txt"}, lambda hint: bucket, lambda ref: "")


def step(spec: dict[str, Any], who: str = "main") -> Step:
    return Step.model_validate({"presign": spec, "as": who})


def test_a_presigned_get_url_fetches_the_object(moto_endpoint: EndpointConfig, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="hello.txt", Body=b"hi there")
    spec = {"op": "GetObject", "params": {"Bucket": "${bucket}", "Key": "${key}"}, "expires": 120}
    outcome = presign(Clients(moto_endpoint), step(spec), scope(bucket))
    assert outcome.status == 0 and list(outcome.doc) == ["url"]
    url = outcome.doc["url"]
    parts = urlsplit(url)
    assert parts.path == f"/{bucket}/hello.txt"
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == ["120"] and query["X-Amz-Credential"][0].startswith("s3tester-main/")
    response = urllib3.request("GET", url)
    assert response.status == 200 and response.data == b"hi there"


def test_a_presigned_put_with_its_method_stores_the_body(moto_endpoint: EndpointConfig, s3: Any, bucket: str) -> None:
    spec = {"op": "PutObject", "params": {"Bucket": "${bucket}", "Key": "up"}, "method": "PUT"}
    url = presign(Clients(moto_endpoint), step(spec), scope(bucket)).doc["url"]
    assert urllib3.request("PUT", url, body=b"uploaded").status == 200
    assert s3.get_object(Bucket=bucket, Key="up")["Body"].read() == b"uploaded"


def test_anonymous_presigns_as_main(moto_endpoint: EndpointConfig, bucket: str) -> None:
    spec = {"op": "HeadObject", "params": {"Bucket": "${bucket}", "Key": "k"}}
    url = presign(Clients(moto_endpoint), step(spec, "anonymous"), scope(bucket)).doc["url"]
    assert "Credential=s3tester-main%2F" in url


def test_a_presigned_post_form_uploads(moto_endpoint: EndpointConfig, s3: Any, bucket: str) -> None:
    post = {"Bucket": "${bucket}", "Key": "form/${key}", "fields": {"Content-Type": "text/plain"},
            "conditions": [{"Content-Type": "text/plain"}]}
    doc = presign(Clients(moto_endpoint), step({"post": post, "expires": 60}), scope(bucket)).doc
    assert set(doc) == {"url", "fields"} and doc["fields"]["key"] == "form/hello.txt"
    assert doc["fields"]["Content-Type"] == "text/plain" and "policy" in doc["fields"]
    fields = [*doc["fields"].items(), ("file", ("f.txt", b"posted"))]
    response = urllib3.request("POST", doc["url"], fields=fields)
    assert response.status in (200, 204), response.data
    got = s3.get_object(Bucket=bucket, Key="form/hello.txt")
    assert got["Body"].read() == b"posted" and got["ContentType"] == "text/plain"
