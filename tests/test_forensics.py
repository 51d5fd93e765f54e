"""results/forensics: the exchange in a few lines, the curl replay, the rerun command."""

from __future__ import annotations

from s3tester.results.forensics import answer_line, case_lines, curl_line, exchange_lines
from s3tester.results.records import CaseResult, Failure, MismatchRecord

EXCHANGE = {
    "request": {"method": "PUT", "url": "http://127.0.0.1:9000/b/k",
                "headers": {"Authorization": "AWS4-HMAC-SHA256 Credential=***/20260101/eu-west-1/s3/aws4_request, Signature=***",
                            "Content-Type": "text/plain", "X-Amz-Date": "20260101T000000Z"},
                "body": {"size": 5, "sha256": "ab" * 32, "text": "hello"}},
    "response": {"status": 403, "headers": {"x-amz-request-id": "RID"},
                 "body": {"size": 90, "text": "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"}},
    "request_id": "RID", "duration": 0.01,
}


def test_exchange_lines_show_request_line_headers_status_code_and_request_id() -> None:
    lines = exchange_lines(EXCHANGE)
    assert lines[0] == "-> PUT http://127.0.0.1:9000/b/k"
    assert "   Content-Type: text/plain" in lines
    assert "<- 403 AccessDenied: Access Denied (request id RID)" in lines


def test_a_non_xml_answer_is_shown_as_what_it_is() -> None:
    html = {**EXCHANGE, "response": {"status": 500, "headers": {}, "body": {"size": 30, "text": "<!DOCTYPE html><h1>Oops</h1>"}}}
    assert answer_line(html).startswith("<- 500 (HTML, 30 bytes: ")
    empty = {**EXCHANGE, "response": {"status": 500, "headers": {}, "body": {"size": 0}}}
    assert answer_line(empty) == "<- 500 (empty body) (request id RID)"


def test_curl_line_references_credentials_and_never_holds_them() -> None:
    line = curl_line(EXCHANGE)
    assert line is not None and '"$S3_ACCESS_KEY:$S3_SECRET_KEY"' in line and "aws:amz:eu-west-1:s3" in line
    assert "Signature" not in line and "X-Amz-Date" not in line and "--data-binary hello" in line
    presigned = {**EXCHANGE, "request": {**EXCHANGE["request"], "url": "http://h/b/k?X-Amz-Signature=***"}}
    assert curl_line(presigned) is None


def test_case_lines_show_every_mismatch_and_the_rerun_command() -> None:
    mismatches = [MismatchRecord(check="ETag", message="ETag: expected '1', got '2'"),
                  MismatchRecord(check="status", kind="status=200", message="status: expected 404, got 200")]
    case = CaseResult(id="objects/x", area="objects", status="failed", step="test[0]", operation="PutObject",
                      failures=[Failure(step="test[0]", operation="PutObject", mismatches=mismatches, exchange=EXCHANGE)],
                      buckets=["s3t-abc-0001"])
    lines = case_lines(case, verbose=1, repro="s3tester run suites/v1 --endpoint http://h", clean="s3tester clean --run-id abc")
    text = "\n".join(lines)
    assert "ETag: expected '1', got '2'" in text and "status: expected 404, got 200" in text
    assert "rerun: s3tester run suites/v1 --endpoint http://h -g objects/x --keep-buckets" in text
    assert "replay: curl" in text and "kept buckets: s3t-abc-0001 (remove with: s3tester clean --run-id abc)" in text


def test_a_replay_signs_with_the_steps_own_credential_set() -> None:
    """A step run `as: alt` replays with alt's keys: with main's it would get another answer."""
    line = curl_line(EXCHANGE, credential="alt")
    assert line is not None and '"$S3_ALT_ACCESS_KEY:$S3_ALT_SECRET_KEY"' in line
    tokened = {**EXCHANGE, "request": {**EXCHANGE["request"],
                                       "headers": {**EXCHANGE["request"]["headers"], "X-Amz-Security-Token": "***"}}}
    assert '"x-amz-security-token: $S3_READ_ONLY_SESSION_TOKEN"' in (curl_line(tokened, credential="read-only") or "")


def test_without_verbose_a_failure_still_shows_the_error_answer_and_the_replay() -> None:
    failure = Failure(step="test[1]", operation="GetObject", credential="alt", exchange=EXCHANGE,
                      mismatches=[MismatchRecord(check="status", kind="status=403", message="status: expected 200, got 403")])
    case = CaseResult(id="acl/x", area="acl", status="failed", failures=[failure])
    lines = case_lines(case, repro="s3tester run suites/v1")
    assert lines[1:4] == ["    test[1] GetObject: status: expected 200, got 403",
                          "      <- 403 AccessDenied: Access Denied (request id RID)",
                          lines[3]]
    assert lines[3].startswith("      replay: curl ") and "$S3_ALT_ACCESS_KEY" in lines[3]
    ok = {**EXCHANGE, "response": {**EXCHANGE["response"], "status": 200, "body": {"size": 0}}}
    quiet = case_lines(CaseResult(id="acl/x", area="acl", status="failed",
                                  failures=[failure.model_copy(update={"exchange": ok})]))
    assert not any(line.strip().startswith("<-") for line in quiet)


def test_no_replay_for_a_masked_form_or_a_long_body() -> None:
    form = {**EXCHANGE, "request": {**EXCHANGE["request"], "headers": {"Content-Type": "multipart/form-data"},
                                    "body": {"size": 40, "text": 'name="policy"\r\n\r\n***\r\n'}}}
    assert curl_line(form) is None, "the policy and signature are masked: a replay could only be refused"
    long = {**EXCHANGE, "request": {**EXCHANGE["request"], "body": {"size": 2000, "text": "x" * 2000}}}
    assert curl_line(long) is None
