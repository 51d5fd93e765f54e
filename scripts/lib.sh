# Shell helpers shared by scripts/install-client.sh and scripts/install-vendor.sh.
# Sourced, never run:  . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Messages start with the name of the script that sourced this file (install-client: ...).

# Run a download step up to three times: a registry hiccup should not fail CI.
retry() {
  local n
  for n in 1 2 3; do
    "$@" && return 0
    echo "$(basename "$0" .sh): attempt $n of 3 failed: $*" >&2
    sleep $((n * 2))
  done
  return 1
}

# venv_install PYTHON VENV REQUIREMENT...: make a venv at VENV with PYTHON and pip-install
# the requirements into it (retried), without pip's "WARNING: Location" noise.
venv_install() {
  local python="$1" venv="$2"
  shift 2
  "$python" -m venv "$venv"
  retry "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" \
    2> >(grep -v "^WARNING: Location" >&2)
}
