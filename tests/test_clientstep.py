"""client: steps: a subprocess against the embedded moto, masked output, timeouts, and one
real scenario for each installed client."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from s3tester.run import clientstep, clienttools
from s3tester.run.clients import Clients
from s3tester.run.clientstep import ClientRunner, list_files, process_timeout, run_process
from s3tester.run.steps import StepRunner
from s3tester.suite.models import EndpointConfig, Step
from s3tester.suite.variables import Scope


def step(**spec: Any) -> Step:
    return Step.model_validate(spec)


def fake_clients(tmp_path: Path) -> Path:
    """A clients dir where 'rclone' is 'installed' as a plain shell (no real client needed)."""
    (tmp_path / "rclone" / "bin").mkdir(parents=True)
    (tmp_path / "rclone" / "VERSION").write_text("0-test\n")
    return tmp_path


def runner_for(endpoint: EndpointConfig, base: Path) -> StepRunner:
    runner = StepRunner(Clients(endpoint, timeout=10), lambda *args: None)
    runner._client = ClientRunner(runner.clients, None, base)
    return runner


def scope(bucket: str = "b") -> Scope:
    return Scope({}, lambda hint: bucket, lambda ref: "")


def test_a_script_sees_the_endpoint_and_its_output_is_masked(moto_endpoint: EndpointConfig, tmp_path: Path) -> None:
    runner = runner_for(moto_endpoint, fake_clients(tmp_path / "clients"))
    secret = moto_endpoint.credentials["main"].secret_key.get_secret_value()
    s = step(client={"name": "rclone", "files": {"in/a b.txt": "x", "big": {"size": "1KiB", "seed": 3}},
                     "sh": 'echo "$S3_ENDPOINT ${bucket}"; echo "$AWS_SECRET_ACCESS_KEY" >&2; echo "k=$AWS_SECRET_ACCESS_KEY"; cat in/*'},
             expect={"exit_code": 0, "stdout": {"contains": "${bucket}"}, 'files."in/a b.txt"': 1, "files.big": 1024})
    result = runner.run(s, scope("mybucket"))
    assert result.ok, result.mismatches
    doc = result.outcome.doc if result.outcome else {}
    assert doc["stdout"].startswith(moto_endpoint.url.rstrip("/")) and "mybucket" in doc["stdout"]
    assert secret not in doc["stderr"] and "***" in doc["stderr"] and secret not in doc["stdout"]
    assert f"k={secret}" in doc["raw_stdout"]  # for save: (a presigned URL); reports are masked again
    assert doc["version"] == "0-test" and ".home/.s3cfg" not in doc["files"]


def test_the_work_dir_is_shared_within_a_case_and_a_failure_explains(moto_endpoint: EndpointConfig, tmp_path: Path) -> None:
    runner = runner_for(moto_endpoint, fake_clients(tmp_path / "clients"))
    sc = scope()
    assert runner.run(step(client={"name": "rclone", "sh": "echo kept > state"}), sc).ok
    result = runner.run(step(client={"name": "rclone", "sh": "cat state; echo boom >&2; exit 3"},
                             expect={"exit_code": 0}), sc)
    assert not result.ok and result.mismatches[0].actual == 3 and "boom" in result.mismatches[0].note
    assert result.outcome is not None and result.outcome.doc["stdout"] == "kept\n"


def test_a_timeout_kills_the_process_group(tmp_path: Path) -> None:
    code, out, _, timed_out = run_process(["/bin/bash", "-c", "echo start; sleep 30 & wait"], tmp_path, {"PATH": "/usr/bin:/bin"}, 0.5)
    assert timed_out and code is None and out == "start\n"
    assert list_files(tmp_path) == {}


def test_a_hanging_client_is_its_own_timeout_even_after_a_slow_setup(
    moto_endpoint: EndpointConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the step's deadline runs from the step's start: setup time (files, config; slow on a
    # loaded machine) comes off the process's time, so the client's timeout always comes first
    runner = runner_for(moto_endpoint, fake_clients(tmp_path / "clients"))
    real = clientstep.clienttools.environment

    def slow_environment(*args: Any) -> dict[str, str]:
        time.sleep(0.8)
        return real(*args)

    monkeypatch.setattr(clientstep.clienttools, "environment", slow_environment)
    result = runner.run(step(client={"name": "rclone", "sh": "echo started; sleep 30"}, timeout=2,
                             expect={"exit_code": 0}), scope())
    assert result.outcome is not None and result.outcome.doc["timed_out"] is True
    assert result.outcome.doc["stdout"] == "started\n" and result.mismatches[0].actual is None
    assert process_timeout(300, 0.1) == pytest.approx(297.9) and process_timeout(1, 0) == pytest.approx(0.9)
    assert process_timeout(10, 20) == 1.0  # setup ate the budget: the process still starts


INSTALLED = [n for n in clienttools.CATALOG if clienttools.version(n) is not None]
PUT = {  # a one-object upload in each client's own terms
    "awscli": ("sh", "aws s3 cp f.txt s3://${bucket}/f.txt"),
    "awscli2": ("sh", 'aws --endpoint-url "$S3_ENDPOINT" s3 cp f.txt s3://${bucket}/f.txt'),
    "boto3": ("python", 'import boto3\nboto3.client("s3").upload_file("f.txt", "${bucket}", "f.txt")'),
    "js-sdk": ("node", 'const {S3Client, PutObjectCommand} = require("@aws-sdk/client-s3");\n'
               'const fs = require("fs");\n'
               'new S3Client({forcePathStyle: true}).send(new PutObjectCommand({Bucket: "${bucket}", Key: "f.txt", '
               'Body: fs.readFileSync("f.txt")})).catch(e => { console.error(e); process.exit(1); });'),
    "rclone": ("sh", "rclone copyto f.txt s3:${bucket}/f.txt"),
    "s3cmd": ("sh", "s3cmd put f.txt s3://${bucket}/f.txt"),
    "s5cmd": ("sh", "s5cmd cp f.txt s3://${bucket}/f.txt"),
    "s3fs": ("python", 'import s3fs\ns3fs.S3FileSystem().put("f.txt", "${bucket}/f.txt")'),
    "pyarrow": ("python", 'import os\nfrom pyarrow import fs\n'
                'f = fs.S3FileSystem(endpoint_override=os.environ["S3_ENDPOINT"], region=os.environ["S3_REGION"])\n'
                'with f.open_output_stream("${bucket}/f.txt") as out: out.write(open("f.txt", "rb").read())'),
    "duckdb": ("python", 'import os, duckdb, duckdb_extension_httpfs as h\n'
               'e = os.environ\ncon = duckdb.connect()\n'
               'con.execute("LOAD \'" + os.path.join(os.path.dirname(h.__file__), "extensions", "v1.5.5", "httpfs.duckdb_extension") + "\'")\n'
               'con.execute(f"CREATE SECRET s (TYPE s3, KEY_ID \'{e[\'AWS_ACCESS_KEY_ID\']}\', SECRET \'{e[\'AWS_SECRET_ACCESS_KEY\']}\', '
               'ENDPOINT \'{e[\'S3_ENDPOINT_HOST\']}\', URL_STYLE \'path\', USE_SSL false)")\n'
               'con.execute("COPY (SELECT \'from duckdb\' AS t) TO \'s3://${bucket}/f.txt\' (FORMAT csv, HEADER false)")'),
    "obstore": ("python", 'import os, obstore\nfrom obstore.store import S3Store\n'
                's = S3Store("${bucket}", endpoint=os.environ["S3_ENDPOINT"], client_options={"allow_http": True})\n'
                'obstore.put(s, "f.txt", open("f.txt", "rb").read())'),
    "minio": ("python", 'import os\nfrom minio import Minio\n'
              'm = Minio(os.environ["S3_ENDPOINT_HOST"], os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"], '
              'secure=False, region=os.environ["S3_REGION"])\nm.fput_object("${bucket}", "f.txt", "f.txt")'),
    "restic": ("sh", 'restic -r "s3:$S3_ENDPOINT/${bucket}/repo" init && echo "from restic" > f.txt && '
               'restic -r "s3:$S3_ENDPOINT/${bucket}/repo" backup f.txt && restic -r "s3:$S3_ENDPOINT/${bucket}/repo" '
               'dump latest /f.txt > out && cat out'),
}


@pytest.mark.parametrize("name", INSTALLED)
def test_each_installed_client_uploads_to_the_embedded_server(name: str, moto_endpoint: EndpointConfig, s3: Any) -> None:
    kind, script = PUT[name]
    bucket = f"s3t-client-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    try:
        runner = StepRunner(Clients(moto_endpoint, timeout=10), lambda *args: None)
        result = runner.run(step(client={"name": name, "files": {"f.txt": "from " + name}, kind: script},
                                 expect={"exit_code": 0}, timeout=120), scope(bucket))
        assert result.ok, [str(m) for m in result.mismatches]
        if name == "restic":  # a repository, not a plain object: its config and the file read back
            assert s3.head_object(Bucket=bucket, Key="repo/config")["ContentLength"] > 0
            assert result.outcome is not None and "from restic" in result.outcome.doc["stdout"]
            return
        body = s3.get_object(Bucket=bucket, Key="f.txt")["Body"].read()
        assert body.strip() == f"from {name}".encode()
    finally:
        for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):  # restic: a few dozen keys
            s3.delete_object(Bucket=bucket, Key=obj["Key"])
        s3.delete_bucket(Bucket=bucket)
