#!/usr/bin/env bash
# Installs hashsim's build and test dependencies from Debian packages.
# Idempotent: packages already present are skipped, and apt is not touched at all
# when everything is installed. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates ccache
  libeigen3-dev libtbb-dev libpcg-cpp-dev libyaml-cpp-dev libhdf5-dev
  libcurl4-openssl-dev libssl-dev libsqlite3-dev
  libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcpp-httplib-dev
  libbenchmark-dev libgtest-dev libgmock-dev clang-format clang-tidy
  libopenmpi-dev openmpi-bin
  python3 python3-dev pybind11-dev python3-h5py python3-numpy python3-pandas python3-xarray python3-h5netcdf python3-matplotlib
  jupyter-nbconvert python3-nbconvert python3-ipykernel
  chromium
)
# node and npm for web/ (chart library, browser test driver); Debian's packages only when the
# machine has none already (an image may ship its own node).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
web_deps="$(dirname "${BASH_SOURCE[0]}")/install-web-deps.sh"

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  bash "$web_deps"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
bash "$web_deps"
