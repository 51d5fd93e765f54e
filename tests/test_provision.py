"""Around a launched server: `prepare` commands before it starts, `setup` steps once it answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from test_launch import _no_leftover_children, fake_profile  # noqa: F401 (autouse fixture)

from s3tester.errors import EndpointError
from s3tester.servers.launch import launched
from s3tester.servers.profiles import VendorProfile
from s3tester.servers.provision import VendorNotInstalled

# Like test_launch's fake server, but it logs each request (method, path, body, content type).
RECORDING_S3 = """\
import http.server, sys
port = int(sys.argv[1])
BODY = b'<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>'
class H(http.server.BaseHTTPRequestHandler):
    def _answer(self, code):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        print("request", self.command, self.path, repr(body), self.headers.get("Content-Type"), flush=True)
        self.send_response(code)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)
    def do_GET(self):
        self._answer(200)
    def do_POST(self):
        self._answer(204 if self.path == "/ok" else 409)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
"""


def recording(**launch: Any) -> VendorProfile:
    return fake_profile(files={"fake_s3.py": RECORDING_S3}, **launch)


def python(code: str, *args: str) -> list[str]:
    return ["python", "-c", code, *args]


def test_prepare_key_pair_at_custom_expressions(tmp_path: Path) -> None:
    doc = {"user": {"creds": [{"ak": "AK-made", "sk": "SK-made-secret"}]}}
    profile = fake_profile(prepare=[{
        "command": python(f"print({json.dumps(json.dumps(doc))})"),
        "credential": "made", "access_key": "user.creds[0].ak", "secret_key": "user.creds[0].sk",
    }])
    with launched(profile, tmp_path) as (_server, endpoint):
        made = endpoint.credentials["made"]
        assert (made.access_key, made.secret_key.get_secret_value()) == ("AK-made", "SK-made-secret")
        assert set(endpoint.credentials) == {"main", "made"}
    log = (tmp_path / "server.log").read_text()
    assert "AK-made" in log and "SK-made-secret" not in log


def test_prepare_runs_in_the_workdir_with_launch_env_and_without_aws_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "the-users-own-secret")
    code = ("import os, sys; open('prepared.txt', 'w').write(' '.join([os.environ['SEEN'], "
            "os.environ['SECRET'], str(os.environ.get('AWS_SECRET_ACCESS_KEY')), sys.argv[1]]))")
    profile = fake_profile(env={"SEEN": "{cred.main.access_key}", "SECRET": "{cred.main.secret_key}"},
                           prepare=[{"command": python(code, "{data_dir}")}])
    with launched(profile, tmp_path):
        written = (tmp_path / "prepared.txt").read_text()
    assert written == f"k fake-secret-value None {tmp_path / 'data'}"


def test_prepare_program_missing_is_not_installed(tmp_path: Path) -> None:
    profile = fake_profile(install="get-it", prepare=[{"command": ["s3tester-no-such-tool", "x"]}])
    with pytest.raises(VendorNotInstalled) as info, launched(profile, tmp_path):
        pass
    assert str(info.value) == (
        "vendor 'fake': launch.prepare[0] program 's3tester-no-such-tool' missing; install it with: get-it"
    )
    assert not (tmp_path / "server.pid").exists()


def test_prepare_output_without_the_key_pair(tmp_path: Path) -> None:
    profile = fake_profile(prepare=[{"command": python("print('{\"keys\": []}')"), "credential": "made"}])
    with pytest.raises(EndpointError) as info, launched(profile, tmp_path):
        pass
    message = str(info.value)
    assert message.startswith(
        "vendor 'fake': launch.prepare[0] failed: cannot read a key pair from its output "
        f"(no key pair at the given expressions); work dir kept at {tmp_path}; last log lines:\n"
    )
    assert "s3tester: prepare[0]" in message


def test_prepare_that_prints_its_key_pair_then_hangs_is_judged_by_its_answer(tmp_path: Path) -> None:
    """radosgw-admin on dbstore sometimes prints the new user and never exits: the answer counts."""
    doc = json.dumps({"keys": [{"access_key": "AK-hung", "secret_key": "SK-hung-secret"}]})
    code = f"import sys, time; print({doc!r}); sys.stdout.flush(); time.sleep(60)"
    profile = fake_profile(prepare=[{"command": python(code), "credential": "made", "timeout": 1}])
    with launched(profile, tmp_path) as (_server, endpoint):
        assert endpoint.credentials["made"].access_key == "AK-hung"
    assert "printed its key pair but did not exit within 1s: killed" in (tmp_path / "server.log").read_text()


def test_prepare_that_hangs_silently_fails_the_launch(tmp_path: Path) -> None:
    profile = fake_profile(prepare=[{"command": python("import time; time.sleep(60)"), "credential": "made", "timeout": 1}])
    with pytest.raises(EndpointError) as info, launched(profile, tmp_path):
        pass
    assert str(info.value).startswith("vendor 'fake': launch.prepare[0] failed: no answer within 1s;")


def test_prepare_runs_once_across_a_restart(tmp_path: Path) -> None:
    profile = fake_profile(prepare=[{"command": python("open('runs', 'a').write('run\\n')")}])
    with launched(profile, tmp_path) as (server, _endpoint):
        server.restart()
        assert server.alive()
    assert (tmp_path / "runs").read_text() == "run\n"


def test_setup_http_step_is_sent_unsigned_with_body_and_headers(tmp_path: Path) -> None:
    step = {"http": {"method": "POST", "path": "/ok", "body": "0", "headers": {"Content-Type": "text/plain"}}}
    with launched(recording(setup=[step]), tmp_path) as (_server, endpoint):
        assert set(endpoint.credentials) == {"main"}
    requests = [line for line in (tmp_path / "server.log").read_text().splitlines() if line.startswith("request")]
    assert "request POST /ok '0' text/plain" in requests
    assert requests.index("request POST /ok '0' text/plain") > 0  # after the readiness ListBuckets


def test_setup_http_error_status_fails_the_launch(tmp_path: Path) -> None:
    steps = [{"http": {"method": "POST", "path": "/ok"}}, {"http": {"method": "POST", "path": "/conflict"}}]
    with pytest.raises(EndpointError) as info, launched(recording(setup=steps), tmp_path):
        pass
    assert str(info.value).startswith(
        f"vendor 'fake': launch.setup[1] failed: HTTP 409 from POST /conflict; work dir kept at {tmp_path}"
    )
    assert "request POST /conflict" in str(info.value)  # the log tail


MOTO: dict[str, Any] = {
    "name": "moto-setup",
    "credentials": {"main": {"access_key": "s3tester-main", "secret_key": "main-secret-s3t"}},
    "launch": {"command": ["moto_server", "-H", "{host}", "-p", "{port}"], "ready_timeout": 30},
}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def test_setup_iam_user_becomes_a_credential_set(tmp_path: Path) -> None:
    setup = [{"iam_user": {"user": "u-made", "credential": "made", "policy": POLICY}}]
    profile = VendorProfile.model_validate({**MOTO, "launch": {**MOTO["launch"], "setup": setup}})
    with launched(profile, tmp_path) as (_server, endpoint):
        made, main = endpoint.credentials["made"], endpoint.credentials["main"]
        assert made.access_key and made.access_key != main.access_key
        iam = boto3.session.Session().client(
            "iam", endpoint_url=endpoint.url, region_name="us-east-1",
            aws_access_key_id=main.access_key, aws_secret_access_key=main.secret_key.get_secret_value(),
        )
        keys = iam.list_access_keys(UserName="u-made")["AccessKeyMetadata"]
        assert [k["AccessKeyId"] for k in keys] == [made.access_key]
        policy = iam.get_user_policy(UserName="u-made", PolicyName="s3tester")["PolicyDocument"]
        assert (json.loads(policy) if isinstance(policy, str) else policy) == POLICY


def test_setup_iam_failure_names_the_step(tmp_path: Path) -> None:
    setup = [{"iam_user": {"user": "twice", "credential": "one"}}, {"iam_user": {"user": "twice", "credential": "two"}}]
    profile = VendorProfile.model_validate({**MOTO, "launch": {**MOTO["launch"], "setup": setup}})
    with pytest.raises(EndpointError) as info, launched(profile, tmp_path):
        pass
    first_line = str(info.value).splitlines()[0]
    assert first_line.startswith("vendor 'moto-setup': launch.setup[1] failed: An error occurred (EntityAlreadyExists)")
    assert "main-secret-s3t" not in str(info.value)
