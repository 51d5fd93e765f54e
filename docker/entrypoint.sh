#!/usr/bin/env bash
# Entrypoint of the s3tester image: a mint-like environment contract in front of the CLI.
#
#   S3_ENDPOINT          URL of the server to test (required for `run`; never defaulted)
#   S3_ACCESS_KEY        main credential set (with S3_SECRET_KEY; S3_SESSION_TOKEN optional)
#   S3_SECRET_KEY
#   S3_ALT_ACCESS_KEY    a second user for permission cases (optional; cases that need
#   S3_ALT_SECRET_KEY    `alt` cannot run without it)
#   S3_VENDOR            vendor profile name (vendors/NAME.yaml: addressing style, golden/NAME/)
#   S3_REGION            region to sign for (default: the profile's, else us-east-1)
#   S3_INSECURE          1/true: accept self-signed TLS certificates (--no-verify-ssl);
#                        AWS_CA_BUNDLE=/path/ca.pem (mounted) is the safer alternative
#   S3TESTER_*           any other option, e.g. S3TESTER_LOG_FORMAT=json
#
# Arguments are s3tester's own (default: `run v1`). For `run`, the variables above become
# --endpoint/--vendor/--region/--no-verify-ssl unless the arguments already give them.
# Secrets stay in the environment: they never appear on a command line.
# Exit codes are s3tester's: 0 passed, 1 failures/regressions, 2 bad config, 3 unreachable.
set -euo pipefail

S3TESTER_BIN="${S3TESTER_BIN:-s3tester}"

die() {
    echo "s3tester-entrypoint: $*" >&2
    exit 2
}

truthy() {
    case "${1,,}" in
        1 | true | yes | on) return 0 ;;
        *) return 1 ;;
    esac
}

if [ "$#" -eq 0 ]; then
    set -- run v1
fi

# Find the subcommand: the first argument that is not a global option (or its value).
command=""
expect_value=0
for arg in "$@"; do
    if [ "$expect_value" -eq 1 ]; then
        expect_value=0
        continue
    fi
    case "$arg" in
        --log-format | --log-level) expect_value=1 ;;
        -*) ;;
        *)
            command="$arg"
            break
            ;;
    esac
done

if [ "$command" != "run" ]; then
    exec "$S3TESTER_BIN" "$@"
fi

has_option() {
    local name="$1" arg
    shift
    for arg in "$@"; do
        case "$arg" in
            "$name" | "$name="*) return 0 ;;
        esac
    done
    return 1
}

extra=()
if ! has_option --endpoint "$@"; then
    endpoint="${S3_ENDPOINT:-}"
    endpoint="${endpoint#"${endpoint%%[![:space:]]*}"}"  # trim leading whitespace
    endpoint="${endpoint%"${endpoint##*[![:space:]]}"}"  # and trailing
    if [ -z "$endpoint" ]; then
        die "S3_ENDPOINT is empty: set it to the server to test, e.g." \
            "-e S3_ENDPOINT=http://127.0.0.1:9000 (with --network host). The image has no default endpoint."
    fi
    case "$endpoint" in
        http://?* | https://?*) ;;
        *) die "S3_ENDPOINT must start with http:// or https:// (got '$endpoint')" ;;
    esac
    extra+=(--endpoint "$endpoint")
fi

if [ -n "${S3_ACCESS_KEY:-}" ] && [ -z "${S3_SECRET_KEY:-}" ]; then
    die "S3_ACCESS_KEY is set but S3_SECRET_KEY is empty"
fi
if [ -z "${S3_ACCESS_KEY:-}" ] && [ -n "${S3_SECRET_KEY:-}" ]; then
    die "S3_SECRET_KEY is set but S3_ACCESS_KEY is empty"
fi
if [ -n "${S3_ALT_ACCESS_KEY:-}${S3_ALT_SECRET_KEY:-}" ] \
    && { [ -z "${S3_ALT_ACCESS_KEY:-}" ] || [ -z "${S3_ALT_SECRET_KEY:-}" ]; }; then
    die "set both S3_ALT_ACCESS_KEY and S3_ALT_SECRET_KEY, or neither"
fi

if [ -n "${S3_VENDOR:-}" ] && ! has_option --vendor "$@"; then
    extra+=(--vendor "$S3_VENDOR")
fi
if [ -n "${S3_REGION:-}" ] && ! has_option --region "$@"; then
    extra+=(--region "$S3_REGION")
fi
if truthy "${S3_INSECURE:-}" && ! has_option --no-verify-ssl "$@"; then
    extra+=(--no-verify-ssl)
fi

exec "$S3TESTER_BIN" "$@" "${extra[@]}"
