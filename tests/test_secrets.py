"""Secret keys and session tokens never appear in any output of a run.

A full run against a real moto server with distinctive credentials, in every report format,
with debug JSON logs, results, JUnit and a golden update, plus the failure paths (a dead
endpoint, a bad profile, an interrupted run); every byte written is searched for the
secret, the token and their URL-encoded forms.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from s3tester.suite.models import EndpointConfig

ROOT = Path(__file__).resolve().parent.parent
BASIC = ROOT / "tests" / "suites" / "basic"
SECRET = "S3cr3t+Zebra/Quokka=42xyzzy"
TOKEN = "T0ken+Wombat/Narwhal==plugh" + "".join("abcdefghijklmnopqrstuvwxyz0123456789+/"[i * 7 % 38] for i in range(273))
assert len(TOKEN) == 300
ALT_SECRET = "Alt+Secret/Marmot=9frotz"
NEEDLES = [SECRET, TOKEN, ALT_SECRET, "Zebra", "Wombat", "Marmot"]
NEEDLES += [quote(s, safe="") for s in (SECRET, TOKEN, ALT_SECRET)]
NEEDLES += [quote(quote(s, safe=""), safe="") for s in (SECRET, TOKEN, ALT_SECRET)]
NEEDLES += [TOKEN[:40], TOKEN[100:140], TOKEN[-40:]]  # a cut never keeps a piece of the long token
_B64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")

# A suite that puts presigned URLs (which carry the session token) into results: a presign
# step whose expectation fails shows its whole response, URL included, as `actual`.
LEAKY = """\
groups:
  - name: presign-mismatch
    description: a failing expectation on a presigned URL
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
    test:
      - presign: {op: GetObject, params: {Bucket: "${bucket}", Key: k}}
        save: {url: url}
        expect: {url: "not-this"}
  - name: presigned-url-in-http
    description: a raw request to a presigned URL that fails, naming the URL
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
      - presign: {op: GetObject, params: {Bucket: "${bucket}", Key: missing}}
        save: {url: url}
    test:
      - http: {method: GET, url: "${url}", sign: false}
        expect: {status: 200, Body: "${url}"}
  - name: signed-http
    description: a signed raw request
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
    test:
      - http: {method: GET, path: "/${bucket}"}
        expect: {status: 599}
  - name: presigned-post-mismatch
    description: a failing expectation on a presigned POST form (policy, signature, token)
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
    test:
      - presign: {post: {Bucket: "${bucket}", Key: k}}
        expect: {url: "not-this"}
  - name: alt-denied
    description: the alt credential set in use
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
    test:
      - op: ListObjectsV2
        as: alt
        params: {Bucket: "${bucket}"}
        expect: {error: AccessDenied}
"""


def _env(endpoint: EndpointConfig | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S3TESTER_", "S3_", "AWS_"))}
    env.update({
        "S3_ACCESS_KEY": "AKIDSECRETTEST", "S3_SECRET_KEY": SECRET, "S3_SESSION_TOKEN": TOKEN,
        "S3_ALT_ACCESS_KEY": "AKIDALTTEST", "S3_ALT_SECRET_KEY": ALT_SECRET,
    })
    return env


def _run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "s3tester", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def _decoded(text: str) -> list[str]:
    """Every base64 (standard or URL-safe) run of `text`, decoded at each alignment."""
    found = []
    for run in _B64_RUN.findall(text):
        for start in range(4):
            piece = run[start:].rstrip("=")
            piece = piece[: len(piece) // 4 * 4]
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                with contextlib.suppress(binascii.Error, ValueError):
                    found.append(decode(piece).decode("utf-8", errors="replace"))
    return found


def _assert_clean(where: str, text: str) -> None:
    for needle in NEEDLES:
        assert needle not in text, f"secret material {needle!r} found in {where}"
    for decoded in _decoded(text):
        for needle in ("Zebra", "Wombat", "Marmot", TOKEN[100:120]):
            assert needle not in decoded, f"base64 of secret material {needle!r} found in {where}"


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    root = tmp_path / "leaky"
    root.mkdir()
    (root / "suite.yaml").write_text('name: leaky\nversion: "1"\ncredentials: [main, alt]\n', encoding="utf-8")
    (root / "leaky.yaml").write_text(LEAKY, encoding="utf-8")
    return root


def test_no_secret_in_any_output_of_a_full_run(moto_endpoint: EndpointConfig, suite: Path, tmp_path: Path) -> None:
    env = _env(moto_endpoint)
    runs: dict[str, list[str]] = {}
    for target in (BASIC, suite):
        for fmt in ("table", "json", "yaml", "junit") if target == suite else ("table",):
            out = tmp_path / f"{target.name}-{fmt}"
            runs[f"{target.name} {fmt}"] = [
                "--log-format", "json", "--log-level", "debug", "run", str(target), "--endpoint", moto_endpoint.url,
                "-f", fmt, "--results", f"{out}.results.json",
            ]
        runs[f"{target.name} junit file"] = ["run", str(target), "--endpoint", moto_endpoint.url, "-f", "junit",
                                             "-o", str(tmp_path / f"{target.name}.xml")]
        runs[f"{target.name} golden"] = ["run", str(target), "--endpoint", moto_endpoint.url, "--golden",
                                         str(tmp_path / f"golden-{target.name}"), "--update-golden"]
    runs["dry-run"] = ["run", str(suite), "--dry-run"]
    procs = {
        name: subprocess.Popen([sys.executable, "-m", "s3tester", *args], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, args in runs.items()
    }
    outputs: dict[str, str] = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, 1), f"{name}: {err}"
        outputs[f"{name} stdout"], outputs[f"{name} stderr"] = out, err
    leaky = [p for p in tmp_path.glob("leaky-*.results.json")]
    assert leaky and "presign-mismatch" in leaky[0].read_text()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            outputs[str(path.relative_to(tmp_path))] = path.read_text(errors="replace")
    assert list(tmp_path.glob("golden-*/**/*.json")), "no golden file written"
    assert "X-Amz-Security-Token=***" in leaky[0].read_text()  # masked, not dropped
    for where, text in outputs.items():
        _assert_clean(where, text)


def test_no_secret_in_failure_paths(tmp_path: Path) -> None:
    env = _env(None)
    dead = _run(["--log-level", "debug", "run", str(BASIC), "--endpoint", "http://127.0.0.1:9"], env)
    assert dead.returncode == 3
    profile = tmp_path / "leaky-profile.yaml"
    profile.write_text(
        "description: secret inline and a typo\nendpoint: http://127.0.0.1:9\n"
        f"credentials:\n  main: {{access_key: a, secret_key: '{SECRET}', sesion_token: '{TOKEN}'}}\n",
        encoding="utf-8",
    )
    bad = _run(["run", str(BASIC), "--vendor", str(profile)], env)
    assert bad.returncode == 2, bad.stderr
    typed = tmp_path / "typed.yaml"
    typed.write_text(
        "config:\n  endpoint: http://127.0.0.1:9\n  credentials:\n"
        f"    main: {{access_key: a, secret_key: ['{SECRET}'], session_token: 7}}\n"
        "groups:\n  - name: a\n    test:\n      - op: ListBuckets\n",
        encoding="utf-8",
    )
    wrong = _run(["validate", str(typed)], env)
    userinfo = _run(["run", str(BASIC), "--endpoint", f"http://admin:{quote(SECRET, safe='')}@127.0.0.1:9"], env)
    assert userinfo.returncode == 3, userinfo.stderr
    for proc in (dead, bad, wrong, userinfo):
        _assert_clean("stderr", proc.stderr)
        _assert_clean("stdout", proc.stdout)


def test_no_secret_when_interrupted(moto_endpoint: EndpointConfig, suite: Path, tmp_path: Path) -> None:
    results = tmp_path / "partial.json"
    (suite / "slow.yaml").write_text(
        "groups:\n  - name: slow\n    before:\n      - op: CreateBucket\n        params: {Bucket: '${bucket}'}\n"
        "    test:\n      - sleep: 30\n", encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "s3tester", "--log-level", "debug", "run", str(suite), "--endpoint",
         moto_endpoint.url, "--results", str(results), "-j", "2"],
        cwd=ROOT, env=_env(moto_endpoint), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert results.exists()
    _assert_clean("stdout", out)
    _assert_clean("stderr", err)
    _assert_clean("results", results.read_text())


def test_no_secret_from_a_hostile_server_that_echoes_them(tmp_path: Path) -> None:
    """A server that echoes the request's token and auth header back in every encoding,
    in an error body and in garbage with status 200: nothing reaches any output."""
    from loopback import QuietHandler, serve

    class Echo(QuietHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            token = self.headers.get("x-amz-security-token", "")
            echoed = " ".join([token, quote(token, safe=""), quote(quote(token, safe=""), safe=""),
                               base64.b64encode(f'{{"t": "{token}"}}'.encode()).decode(),
                               SECRET, base64.b64encode(SECRET.encode()).decode(),
                               self.headers.get("authorization", "")])
            if self.command == "PUT":
                body = f"<Error><Code>AccessDenied</Code><Message>{echoed}</Message></Error>".encode()
                self.send_response(403)
            else:
                body = b"\x00garbage " + echoed.encode()
                self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = _answer

    suite = tmp_path / "echo.yaml"
    suite.write_text(
        "groups:\n  - name: put\n    test:\n      - op: CreateBucket\n        params: {Bucket: '${bucket}'}\n"
        "  - name: list\n    test:\n      - op: ListBuckets\n        expect: {Owner.ID: x}\n", encoding="utf-8")
    outputs: dict[str, str] = {}
    with serve(Echo) as url:
        for fmt in ("table", "json", "yaml", "junit"):
            results = tmp_path / f"{fmt}.results.json"
            proc = _run(["--log-format", "json", "--log-level", "debug", "run", str(suite), "--endpoint", url,
                         "-f", fmt, "--results", str(results), "--timeout", "5"], _env(None))
            assert proc.returncode == 1, proc.stderr
            outputs[f"{fmt} stdout"], outputs[f"{fmt} stderr"] = proc.stdout, proc.stderr
            outputs[f"{fmt} results"] = results.read_text()
    assert "AccessDenied" in outputs["json results"]
    for where, text in outputs.items():
        _assert_clean(where, text)
