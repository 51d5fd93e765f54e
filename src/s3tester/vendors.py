"""Vendor profiles: which S3 server, where, as whom, and how to start one locally.

A profile is `vendors/<name>.yaml`. It names an endpoint (or none, when the server is
launched here), a region, an addressing style and credential sets whose values may come
from the environment (`${env:NAME}`, `${env:NAME:-default}`). A profile with `launch:`
says how `s3tester.launch.launched` starts a local instance; `container:` documents the
`docker run` command for hosts that have Docker.

Loading validates the whole profile and reports every problem at its `file:line:col`.
Environment variables are resolved only by `endpoint_for`, so listing profiles never
needs them. Secrets are `SecretStr` and never reach a repr, a log or a message.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from s3tester import yamlpos
from s3tester.errors import ConfigError, Location, Problem
from s3tester.models import Credential, EndpointConfig, Model
from s3tester.paths import data_dirs, source_root
from s3tester.variables import UndefinedVariable, expand_env

PROFILE_SUFFIXES = (".yaml", ".yml")
CREDENTIAL_NAME = r"^[a-z][a-z0-9_-]*$"
PORT_NAME = r"^[a-z][a-z0-9_]*$"

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
    credentials: dict[str, CredentialSpec] = Field(default_factory=dict)
    launch: LaunchSpec | None = None
    container: str | None = Field(default=None, description="docker command that starts it, for hosts with Docker")
    notes: str = ""
    _source: str | None = PrivateAttr(default=None)

    @property
    def source(self) -> str | None:
        """The file the profile was loaded from, as shown in messages."""
        return self._source

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

    @property
    def launchable(self) -> bool:
        return self.launch is not None

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


# --------------------------------------------------------------------------- finding


def vendor_dirs() -> list[Path]:
    """Where profiles are looked up, first match wins: `$S3TESTER_VENDOR_DIRS`
    (os.pathsep-separated), `./vendors`, the source checkout's `vendors/`, then the
    profiles shipped inside the package (see `paths.data_dirs`)."""
    return data_dirs("vendors", "S3TESTER_VENDOR_DIRS")


def tools_dir() -> Path:
    """Where `scripts/install-vendor.sh` installs servers: `$S3TESTER_TOOLS_DIR`, else
    `.tools/` of the source checkout, else `./.tools`."""
    env = os.environ.get("S3TESTER_TOOLS_DIR")
    if env:
        return Path(env).resolve()
    root = source_root()
    return (root if root is not None else Path.cwd()).resolve() / ".tools"


def _profile_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for directory in vendor_dirs():
        for path in sorted(directory.iterdir()):
            if path.suffix in PROFILE_SUFFIXES and path.is_file():
                found.setdefault(path.stem, path)
    return found


def _looks_like_path(name_or_path: str) -> bool:
    return name_or_path.endswith(PROFILE_SUFFIXES) or os.sep in name_or_path or "/" in name_or_path


def load_profile(name_or_path: str) -> VendorProfile:
    """Load a profile by name (`seaweedfs`) or path (`vendors/seaweedfs.yaml`).

    Raises ConfigError (exit 2) naming `file:line:col` for each problem.
    """
    if _looks_like_path(name_or_path):
        return _load_file(Path(name_or_path))
    files = _profile_files()
    if name_or_path not in files:
        close = difflib.get_close_matches(name_or_path, files, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        searched = ", ".join(str(d) for d in vendor_dirs()) or "no vendor dirs"
        raise ConfigError(
            f"unknown vendor '{name_or_path}' ({hint}`s3tester list vendors` shows the "
            f"known ones; searched {searched})"
        )
    return _load_file(files[name_or_path])


def list_profiles() -> list[VendorProfile]:
    """Every profile in `vendor_dirs()`, sorted by name; a broken one raises ConfigError."""
    return [_load_file(path) for _, path in sorted(_profile_files().items())]


def launchable() -> list[str]:
    """Names of the profiles s3tester can start here (those with `launch:`)."""
    return [p.name for p in list_profiles() if p.launch is not None]


def _load_file(path: Path) -> VendorProfile:
    shown = _shown(path)
    data = yamlpos.load(path, shown)
    if not isinstance(data, dict):
        kind = "an empty file" if data is None else "a list" if isinstance(data, list) else "a scalar"
        raise ConfigError(f"a vendor profile is a mapping, got {kind}", Location(shown, 1, 1))
    try:
        profile = VendorProfile.model_validate({"name": path.stem, **data})
    except ValidationError as exc:
        problems = [_problem(data, shown, err) for err in exc.errors()]
        raise ConfigError(problems[0].message, problems[0].location, problems) from None
    if profile.name != path.stem:
        loc = yamlpos.locate(data, ("name",)) or Location(shown)
        raise ConfigError(f"name '{profile.name}' differs from the file name '{path.stem}'", loc)
    profile._source = shown
    return profile


def _problem(data: dict[str, Any], shown: str, err: Any) -> Problem:
    loc_path: tuple[Any, ...] = tuple(err["loc"])
    message: str = err["msg"]
    if err["type"] == "profile":  # from _located: the path is in the context
        loc_path = loc_path + tuple(err["ctx"]["path"])
    shown_path = loc_path
    if err["type"] == "extra_forbidden":
        message = f"unknown key '{loc_path[-1]}'"
        location = yamlpos.locate(data, loc_path, key=True)
        shown_path = loc_path[:-1]
    else:
        location = yamlpos.locate(data, loc_path)
        message = message.removeprefix("Value error, ")
    where = _dotted(shown_path)
    if where:
        message = f"{where}: {message}"
    return Problem(location or Location(shown), message)


def _dotted(path: tuple[Any, ...]) -> str:
    """('launch', 'command', 2) -> 'launch.command[2]'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- resolving


def _resolve(text: str, environ: Mapping[str, str] | None) -> str:
    """`${env:NAME}` / `${env:NAME:-default}` as everywhere in s3tester (variables.py)."""
    return expand_env(text, environ)


def _unset_name(exc: UndefinedVariable) -> str:
    return exc.name.removeprefix("env:")


def resolve_credentials(profile: VendorProfile, environ: Mapping[str, str] | None = None) -> dict[str, Credential]:
    """The profile's declared credential sets with `${env:...}` resolved.

    A set marked `optional` whose variables are unset is left out; any other unset
    variable is a ConfigError naming the profile, the set and the variable.
    """
    out: dict[str, Credential] = {}
    for name, spec in profile.credentials.items():
        try:
            raw_token = spec.session_token.get_secret_value() if spec.session_token else None
            token = _resolve(raw_token, environ) if raw_token is not None else None
            out[name] = Credential(
                access_key=_resolve(spec.access_key, environ),
                secret_key=SecretStr(_resolve(spec.secret_key.get_secret_value(), environ)),
                session_token=SecretStr(token) if token else None,  # "" means none
            )
        except UndefinedVariable as exc:
            if spec.optional:
                continue
            raise ConfigError(
                f"vendor '{profile.name}': credential set '{name}' needs environment variable {_unset_name(exc)}",
                Location(profile.source) if profile.source else None,
            ) from None
    return out


def resolve_region(profile: VendorProfile, environ: Mapping[str, str] | None = None) -> str:
    """The profile's region with `${env:...}` resolved (e.g. `${env:S3_REGION:-us-east-1}`)."""
    try:
        region = _resolve(profile.region, environ).strip()
    except UndefinedVariable as exc:
        raise ConfigError(
            f"vendor '{profile.name}': region needs environment variable {_unset_name(exc)}",
            Location(profile.source) if profile.source else None,
        ) from None
    if not region:
        raise ConfigError(f"vendor '{profile.name}': region is empty")
    return region


def endpoint_for(
    profile: VendorProfile,
    endpoint_override: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> EndpointConfig:
    """The run's endpoint for a profile that is already running somewhere (no launch).

    `endpoint_override` (from `--endpoint`) wins over the profile's `endpoint`.
    """
    where = Location(profile.source) if profile.source else None
    raw = endpoint_override if endpoint_override is not None else profile.endpoint
    if raw is None:
        raise ConfigError(
            f"vendor '{profile.name}' has no endpoint: launch it (it has a 'launch' section) or give --endpoint URL",
            where,
        )
    try:
        url = _resolve(raw, environ).strip()
    except UndefinedVariable as exc:
        raise ConfigError(
            f"vendor '{profile.name}': endpoint needs environment variable {_unset_name(exc)} (or give --endpoint URL)",
            where,
        ) from None
    if not re.match(r"^https?://[^/\s]+", url):
        raise ConfigError(f"vendor '{profile.name}': endpoint '{url}' is not an http(s):// URL", where)
    return EndpointConfig(
        url=url.rstrip("/"),
        region=resolve_region(profile, environ),
        addressing_style=profile.addressing_style,
        credentials=resolve_credentials(profile, environ),
        verify_ssl=profile.verify_ssl,
        vendor=profile.name,
    )
