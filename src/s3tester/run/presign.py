"""`presign:` steps: a presigned URL or POST form, made by botocore, that later steps use."""

from __future__ import annotations

from typing import Any

from s3tester.run.clients import ANONYMOUS, Clients
from s3tester.run.exchange import SECRET_FIELDS, Exchange, record
from s3tester.run.expect import Outcome
from s3tester.suite import operations
from s3tester.suite.models import Step
from s3tester.suite.variables import Scope


def presign(clients: Clients, step: Step, scope: Scope) -> Outcome:
    """The URL (`{url}`) or the form (`{url, fields}`) as the step's outcome; nothing is sent."""
    assert step.presign is not None
    spec = step.presign
    client = clients.get(step.as_ if step.as_ != ANONYMOUS else "main")
    if spec.op is not None:
        params = scope.substitute(spec.params)
        kwargs: dict[str, Any] = {"Params": params, "ExpiresIn": spec.expires}
        if spec.method:
            kwargs["HttpMethod"] = spec.method
        url = client.generate_presigned_url(operations.method_name(spec.op), **kwargs)
        doc: dict[str, Any] = {"url": url}
        record(Exchange(spec.method or "GET", url, {}))  # made, not sent: a later http step sends it
    else:
        assert spec.post is not None
        post = scope.substitute(spec.post.model_dump())
        doc = dict(
            client.generate_presigned_post(
                post["Bucket"], post["Key"], Fields=post["fields"] or None,
                Conditions=post["conditions"] or None, ExpiresIn=spec.expires,
            )
        )
        fields = {str(k): str(v) for k, v in (doc.get("fields") or {}).items()}
        secrets = [v for k, v in fields.items() if k.lower() in SECRET_FIELDS]
        record(Exchange("POST", str(doc.get("url", "")), {}, secrets=secrets))
    return Outcome(doc=doc, status=0)
