"""What a launch does around the server process: `prepare` commands before it starts
(e.g. `radosgw-admin user create`, whose JSON output becomes a credential set) and
`setup` steps once it answers (IAM users, unsigned HTTP calls such as moto's reset-auth).
"""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING

import botocore.exceptions
import jmespath
import urllib3
from pydantic import SecretStr

from s3tester.errors import EndpointError
from s3tester.servers.process import launch_command
from s3tester.suite.models import Credential

if TYPE_CHECKING:
    from s3tester.servers.launch import LocalServer


class VendorNotInstalled(EndpointError):
    """The server's program is missing: run the profile's install command first."""


def run_prepare(server: LocalServer) -> None:
    """Run `launch.prepare` commands; a step with `credential` adds that set from the
    JSON it prints. Output goes to the log (secrets masked)."""
    for index, step in enumerate(server.spec.prepare):
        found = launch_command(step.command, server.spec, server.profile.name, server.workdir, server.expand)
        if found is None:
            raise VendorNotInstalled(
                f"vendor '{server.profile.name}': launch.prepare[{index}] program "
                f"'{server.expand(step.command[0], secrets=False)}' missing; install it with: {server.spec.install}"
            )
        argv, keywords = found
        timed_out, hung = False, f"no answer within {step.timeout:g}s"
        try:
            done = subprocess.run(argv, **keywords, capture_output=True, timeout=step.timeout, check=False)
            failure = None if done.returncode == 0 else f"exit code {done.returncode}"
        except subprocess.TimeoutExpired as exc:
            done = subprocess.CompletedProcess(argv, -1, exc.stdout or b"", exc.stderr or b"")
            failure, timed_out = hung, True
        out = done.stdout.decode(errors="replace")
        if timed_out and step.credential is not None and out.strip():
            failure = None  # it printed its answer, then hung on the way out (radosgw-admin on dbstore): judge the answer
        created: Credential | None = None
        if failure is None and step.credential is not None:
            try:
                doc = json.loads(out)
                access = jmespath.search(step.access_key, doc)
                secret = jmespath.search(step.secret_key, doc)
                if not (isinstance(access, str) and isinstance(secret, str)):
                    raise ValueError("no key pair at the given expressions")
                created = Credential(access_key=access, secret_key=SecretStr(secret))
            except ValueError as exc:  # json.JSONDecodeError is a ValueError
                failure = hung if timed_out else f"cannot read a key pair from its output ({exc})"
        if created is not None and step.credential is not None:
            server.credentials[step.credential] = created
        with server.log_path.open("a") as log:
            log.write(server.mask(f"s3tester: prepare[{index}] {' '.join(argv)}\n"))
            log.write(server.mask(out + done.stderr.decode(errors="replace")))
            if timed_out and failure is None:
                log.write(f"s3tester: prepare[{index}] printed its key pair but did not exit within {step.timeout:g}s: killed\n")
        if failure is not None:
            raise EndpointError(
                f"vendor '{server.profile.name}': launch.prepare[{index}] failed: {failure}; "
                f"work dir kept at {server.workdir}; last log lines:\n{server.log_tail()}"
            )

def run_setup(server: LocalServer) -> dict[str, Credential]:
    created: dict[str, Credential] = {}
    for index, step in enumerate(server.spec.setup):
        try:
            if step.iam_user is not None:
                user = step.iam_user
                caller_name = user.as_ or server.spec.probe_credential
                caller = {**server.credentials, **created}[caller_name]
                iam = server.client("iam", caller, read_timeout=10)
                iam.create_user(UserName=user.user)
                key = iam.create_access_key(UserName=user.user)["AccessKey"]
                if user.policy is not None:
                    iam.put_user_policy(
                        UserName=user.user,
                        PolicyName="s3tester",
                        PolicyDocument=json.dumps(user.policy),
                    )
                created[user.credential] = Credential(
                    access_key=key["AccessKeyId"],
                    secret_key=SecretStr(key["SecretAccessKey"]),
                )
            elif step.http is not None:
                http = step.http
                pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2, read=10))
                resp = pool.request(
                    http.method,
                    server.url + http.path,
                    body=http.body.encode(),
                    headers=http.headers,
                    retries=False,
                )
                if resp.status >= 300:
                    raise EndpointError(f"HTTP {resp.status} from {http.method} {http.path}")
        except (
            botocore.exceptions.BotoCoreError,
            botocore.exceptions.ClientError,
            urllib3.exceptions.HTTPError,
            EndpointError,
        ) as exc:
            raise EndpointError(
                f"vendor '{server.profile.name}': launch.setup[{index}] failed: "
                f"{server.mask(str(exc))}; work dir kept at {server.workdir}; last log "
                f"lines:\n{server.log_tail()}"
            ) from None
    return created
