"""--log-format json|text: one record per line on stderr, secrets never shown."""

from __future__ import annotations

import io
import json
import logging

import pytest

from s3tester import logs
from s3tester.masking import Masker


@pytest.fixture
def stream() -> io.StringIO:
    out = io.StringIO()
    yield out
    logs.setup("text", "warning", io.StringIO())


def test_json_records_carry_extra_fields(stream: io.StringIO) -> None:
    logs.setup("json", None, stream)
    logging.getLogger("s3tester.api").info("run started", extra={"cases": 3, "vendor": "moto"})
    logging.getLogger("s3tester.api").debug("not at the default json level")
    (line,) = stream.getvalue().splitlines()
    doc = json.loads(line)
    assert doc["msg"] == "run started" and doc["level"] == "info" and doc["logger"] == "s3tester.api"
    assert doc["cases"] == 3 and doc["vendor"] == "moto" and doc["ts"].endswith("+00:00")


def test_text_default_level_is_warning(stream: io.StringIO) -> None:
    logs.setup("text", None, stream)
    log = logging.getLogger("s3tester.run.engine")
    log.info("quiet")
    log.warning("loud", extra={"case": "objects/x"})
    assert stream.getvalue().count("\n") == 1
    assert "warning" in stream.getvalue() and "case=objects/x" in stream.getvalue()


def test_registered_secrets_and_url_signatures_are_masked(stream: io.StringIO) -> None:
    logs.setup("json", "debug", stream)
    log = logging.getLogger("s3tester.run.steps")
    with logs.masking(Masker(["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"])):  # the run's secrets
        log.debug("sent %s", "secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                  extra={"url": "https://h/b/k?X-Amz-Credential=AKID%2F20260101&X-Amz-Signature=abcdef0123&x=1",
                         "headers": {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/..., Signature=ff"},
                         "nested": ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
                         "endpoint": "https://user:pass@s3.example.test"})
    log.debug("after the run: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")  # no longer this run's secret
    text, after = stream.getvalue().splitlines()
    assert "wJalrXUtnFEMI" in after
    stream = io.StringIO(text)
    text = stream.getvalue()
    assert "wJalrXUtnFEMI" not in text and "abcdef0123" not in text and "AKID%2F" not in text
    assert "Signature=ff" not in text and "user:pass" not in text
    doc = json.loads(text)
    assert doc["msg"] == "sent secret=***" and "x=1" in doc["url"]


def test_only_the_s3tester_logger_gets_a_handler(stream: io.StringIO) -> None:
    logs.setup("json", "debug", stream)
    logging.getLogger("botocore.endpoint").warning("Authorization: AWS4 secret stuff")
    assert stream.getvalue() == ""


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError):
        logs.setup("xml")
