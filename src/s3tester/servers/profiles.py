"""Vendor profiles as data: which S3 server, where, as whom, and how to start one locally.

A profile is `vendors/<name>.yaml` (found and loaded by `catalog`). It names an endpoint
(or none, when the server is launched here), a region, an addressing style and credential
sets whose values may come from the environment (`${env:NAME}`, `${env:NAME:-default}`,
resolved by `profile_env`). A profile with `launch:` says how `launch.launched` starts a
local instance; `container:` documents the `docker run` command for hosts that have Docker.
Secrets are `SecretStr` and never reach a repr, a log or a message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import jmespath
import jmespath.exceptions
from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from s3tester.suite.fields import region_problem
from s3tester.suite.models import DEFAULT_ACCOUNT, Model, principal_of

CREDENTIAL_NAME = r"^[a-z][a-z0-9_-]*$"
PORT_NAME = r"^[a-z][a-z0-9_]*$"
#: Names s3tester itself uses in a launched server's work dir.
_RESERVED = frozenset({"data", "server.log", "server.pid"})
_BRACED = re.compile(r"\{[A-Za-z_][A-Za-z0-9_.-]*\}")

#: Launch placeholders. Only these names are replaced, so JSON and TOML braces in
#: `files:` need no escaping.
PLACEHOLDER_RE = re.compile(
    r"\{(port|host|data_dir|workdir|tools"
    r"|ports\.[A-Za-z0-9_]+"
    r"|cred\.[A-Za-z0-9_-]+\.(?:access_key|secret_key))\}"
)


class CredentialSpec(Model):
    """A credential set as a profile writes it: values may hold `${env:...}`."""

    access_key: str = Field(min_length=1)
    secret_key: SecretStr
    session_token: SecretStr | None = None
    optional: bool = Field(
        default=False,
        description="left out (instead of an error) when its environment variables are unset",
    )
    principal: str | None = Field(
        default=None,
        description="this set's policy Principal (JSON text) for ${principal:NAME}: 'arn', 'canonical' or a "
        "template with {account}, {user}, {access_key}, {canonical_id}; default: the profile's 'principal'",
    )
    user: str | None = Field(default=None, description="IAM user name in the ARN principal (default: the set's name)")
    setup_only: bool = Field(
        default=False,
        description="only signs launch setup (e.g. an admin that creates the IAM users); "
        "not part of the launched endpoint's credential sets",
    )
    description: str = ""

    @field_validator("secret_key", "session_token", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        if value is None or isinstance(value, SecretStr):
            return value
        if not isinstance(value, str | int | float):
            raise ValueError("must be a string")
        return str(value)


class IamUserStep(Model):
    """Create an IAM user through the server's IAM API and fill a credential set with its key."""

    user: str = Field(min_length=1, description="IAM user name")
    credential: str = Field(pattern=CREDENTIAL_NAME, description="credential set it becomes")
    policy: dict[str, Any] | None = Field(
        default=None, description="inline identity policy document (put as `s3tester`)"
    )
    as_: str | None = Field(default=None, alias="as", description="credential set that calls IAM (default: probe)")


class HttpSetupStep(Model):
    """One unsigned HTTP request to the launched server (e.g. moto's reset-auth)."""

    method: Literal["GET", "POST", "PUT", "DELETE"] = "POST"
    path: str = Field(pattern=r"^/")
    body: str = ""
    headers: dict[str, str] = Field(default_factory=dict)


class PrepareStep(Model):
    """A command run before the server starts (e.g. `radosgw-admin user create`).

    With `credential`, its standard output is JSON and the two JMESPath expressions pick
    the generated key pair, which becomes that credential set: secrets never have to be
    on a command line.
    """

    command: list[str] = Field(min_length=1)
    credential: str | None = Field(default=None, pattern=CREDENTIAL_NAME)
    access_key: str = "keys[0].access_key"
    secret_key: str = "keys[0].secret_key"
    timeout: float = Field(default=30.0, gt=0, le=600)


class SetupStep(Model):
    """A post-start step: exactly one of `iam_user` or `http`."""

    iam_user: IamUserStep | None = None
    http: HttpSetupStep | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SetupStep:
        if (self.iam_user is None) == (self.http is None):
            raise ValueError("a setup step has exactly one of 'iam_user' or 'http'")
        return self


class LaunchSpec(Model):
    """How to start a local instance: one process on free 127.0.0.1 ports.

    Strings in `command`, `env`, `files` and `requires` may use `{port}` (the S3 port),
    `{host}` (127.0.0.1), `{ports.NAME}` (an extra free port from `ports`), `{data_dir}`,
    `{workdir}`, `{tools}` (the repo-local `.tools/` dir) and, in `env` and `files` only,
    `{cred.NAME.access_key}` / `{cred.NAME.secret_key}` (never on a command line, where
    `ps` would show them).
    """

    command: list[str] = Field(min_length=1)
    install: str = Field(default="", description="how to install what `command` needs")
    tools_subdir: str | None = Field(
        default=None,
        description="folder of .tools/ whose bin/ is searched first (default: profile name)",
    )
    requires: list[str] = Field(default_factory=list, description="paths that must exist, else 'not installed'")
    env: dict[str, str] = Field(default_factory=dict)
    ports: list[str] = Field(default_factory=list, description="names of extra free ports")
    files: dict[str, str] = Field(default_factory=dict, description="files written into the work dir before start")
    tls: bool = Field(
        default=False,
        description="serve https: a self-signed certificate is made as {workdir}/tls-cert.pem and "
        "{workdir}/tls-key.pem before start, and the run trusts exactly that certificate",
    )
    probe_credential: str = Field(
        default="main", pattern=CREDENTIAL_NAME, description="signs the readiness ListBuckets"
    )
    ready_timeout: float = Field(default=30.0, gt=0, le=600)
    stop_timeout: float = Field(default=5.0, gt=0, le=120)
    version_command: list[str] | None = Field(
        default=None, description="prints the server's version (run while it starts)"
    )
    version_regex: str = r"(\d+\.\d+(?:\.\d+)?)"
    prepare: list[PrepareStep] = Field(default_factory=list, description="commands run before the server starts")
    setup: list[SetupStep] = Field(default_factory=list, description="steps after readiness")

    @field_validator("ports")
    @classmethod
    def _port_names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not re.match(PORT_NAME, name):
                raise ValueError(f"port name '{name}' must match {PORT_NAME}")
        if len(set(names)) != len(names):
            raise ValueError("port names must be unique")
        return names

    @field_validator("files")
    @classmethod
    def _relative_files(cls, files: dict[str, str]) -> dict[str, str]:
        for name in files:
            path = Path(name)
            if path.is_absolute() or ".." in path.parts or not name:
                raise ValueError(f"file name '{name}' must be relative to the work dir")
        return files

    @field_validator("version_regex")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regex: {exc}") from None
        return value


class VendorProfile(Model):
    """One vendor: where its endpoint is, who we are there, and maybe how to start it."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    description: str = ""
    endpoint: str | None = Field(default=None, description="URL; may hold ${env:...}")
    region: str = "us-east-1"
    addressing_style: Literal["path", "virtual", "auto"] = "path"
    verify_ssl: bool = True
    principal: str = Field(
        default="arn",
        description="how policies name a credential set (${principal:NAME}): 'arn' "
        "({\"AWS\": \"arn:aws:iam::ACCOUNT:user/USER\"}), 'canonical' ({\"CanonicalUser\": ID}) or a template",
    )
    account_id: str = Field(default=DEFAULT_ACCOUNT, description="the account in ARN principals")
    credentials: dict[str, CredentialSpec] = Field(default_factory=dict)
    launch: LaunchSpec | None = None
    container: str | None = Field(default=None, description="docker command that starts it, for hosts with Docker")
    notes: str = ""
    skip: dict[str, str] = Field(
        default_factory=dict,
        description="case id -> why it is never sent to this vendor (a case that hangs or crashes it)",
    )
    _source: str | None = PrivateAttr(default=None)

    @property
    def source(self) -> str | None:
        """The file the profile was loaded from, as shown in messages."""
        return self._source

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        problem = None if value.startswith("${env:") else region_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("credentials")
    @classmethod
    def _credential_names(cls, creds: dict[str, CredentialSpec]) -> dict[str, CredentialSpec]:
        for name in creds:
            if not re.match(CREDENTIAL_NAME, name) or name == "anonymous":
                raise ValueError(f"credential set name '{name}' must match {CREDENTIAL_NAME} and not be 'anonymous'")
        return creds

    @model_validator(mode="after")
    def _consistent(self) -> VendorProfile:
        if self.endpoint is None and self.launch is None:
            raise _located((), "a profile needs an 'endpoint' or a 'launch' section (or both)")
        if self.launch is not None:
            _check_launch(self.launch, set(self.credentials))
        return self

    def principals(self, names: list[str]) -> dict[str, str]:
        """Each credential set's Principal template (see EndpointConfig.principals)."""
        iam_users = {s.iam_user.credential: s.iam_user.user for s in (self.launch.setup if self.launch else []) if s.iam_user}
        out = {}
        for name in names:
            spec = self.credentials.get(name)
            style = (spec.principal if spec else None) or self.principal
            user = (spec.user if spec else None) or iam_users.get(name) or name
            out[name] = principal_of(style, user, self.account_id)
        return out

    def credential_names(self) -> list[str]:
        """Every credential set a run against this profile has: declared and set up."""
        names = [n for n, c in self.credentials.items() if not (c.setup_only and self.launch)]
        if self.launch is not None:
            names += [p.credential for p in self.launch.prepare if p.credential]
            names += [s.iam_user.credential for s in self.launch.setup if s.iam_user]
        return names


def _located(path: tuple[str | int, ...], message: str) -> PydanticCustomError:
    """A model-level error that still knows which key it is about (see `_problem`)."""
    return PydanticCustomError("profile", "{message}", {"message": message, "path": path})


def _check_launch(spec: LaunchSpec, declared: set[str]) -> None:
    """Cross-field checks: every placeholder and credential name refers to something."""
    created: set[str] = set()
    for i, prep in enumerate(spec.prepare):
        if prep.credential is None:
            continue
        if prep.credential in declared or prep.credential in created:
            raise _located(
                ("launch", "prepare", i, "credential"),
                f"prepare creates credential set '{prep.credential}', which is already "
                "defined; a set comes either from 'credentials' or from one step",
            )
        created.add(prep.credential)
    before_start = declared | created
    for i, step in enumerate(spec.setup):
        if step.iam_user is None:
            continue
        cred = step.iam_user.credential
        where: tuple[str | int, ...] = ("launch", "setup", i, "iam_user", "credential")
        if cred in before_start or cred in created:
            raise _located(
                where,
                f"setup creates credential set '{cred}', which is already defined; "
                "a set comes either from 'credentials' or from one setup step",
            )
        caller = step.iam_user.as_ or spec.probe_credential
        if caller not in before_start and caller not in created:
            raise _located(where, f"setup calls IAM as unknown credential set '{caller}'")
        created.add(cred)
    if spec.probe_credential not in before_start:
        raise _located(
            ("launch", "probe_credential"),
            f"probe credential '{spec.probe_credential}' is neither in 'credentials' nor "
            f"made by 'prepare' (defined: {', '.join(sorted(before_start)) or 'none'})",
        )
    ports = set(spec.ports)
    fields: list[tuple[tuple[str | int, ...], str, bool]] = [
        (("launch", "command", i), text, False) for i, text in enumerate(spec.command)
    ]
    fields += [(("launch", "requires", i), text, False) for i, text in enumerate(spec.requires)]
    fields += [
        (("launch", "prepare", i, "command", j), text, False)
        for i, prep in enumerate(spec.prepare)
        for j, text in enumerate(prep.command)
    ]
    fields += [(("launch", "env", k), v, True) for k, v in spec.env.items()]
    fields += [(("launch", "files", k), v, True) for k, v in spec.files.items()]
    for where, text, _ in fields:
        for brace in _BRACED.finditer(text):
            if not PLACEHOLDER_RE.fullmatch(brace.group(0)) and not where[1] == "files":
                raise _located(where, f"unknown placeholder {brace.group(0)} (known: {{port}}, {{host}}, {{data_dir}}, "
                                      "{workdir}, {tools}, {ports.NAME}, {cred.NAME.access_key|secret_key})")
    programs: list[tuple[tuple[str | int, ...], str]] = [(("launch", "command", 0), spec.command[0])]
    programs += [(("launch", "prepare", i, "command", 0), p.command[0]) for i, p in enumerate(spec.prepare)]
    if spec.version_command:
        programs.append((("launch", "version_command", 0), spec.version_command[0]))
    for where, program in programs:
        if not program.strip():
            raise _located(where, "the program to run is empty")
    for name in spec.files:
        if Path(name).parts[0] in _RESERVED:
            raise _located(("launch", "files", name), f"file name '{name}' is taken by s3tester in the work dir "
                                                      f"(reserved: {', '.join(sorted(_RESERVED))})")
    for i, prep in enumerate(spec.prepare):
        for key in ("access_key", "secret_key"):
            try:
                jmespath.compile(getattr(prep, key))
            except jmespath.exceptions.JMESPathError as exc:
                raise _located(("launch", "prepare", i, key), f"invalid JMESPath {getattr(prep, key)!r}: "
                                                              f"{str(exc).splitlines()[0].split(', for expression')[0]}") from None
    for where, text, secrets_ok in fields:
        for match in PLACEHOLDER_RE.finditer(text):
            token = match.group(1)
            if token.startswith("ports.") and token[6:] not in ports:
                raise _located(where, f"{{{token}}} names no port in launch.ports")
            if token.startswith("cred."):
                cred, _, part = token[5:].rpartition(".")
                if cred not in declared:
                    raise _located(where, f"{{{token}}} names no credential set")
                if part == "secret_key" and not secrets_ok:
                    raise _located(
                        where,
                        "secrets may not appear on a command line (ps shows them); "
                        "put them in launch.env or launch.files",
                    )
