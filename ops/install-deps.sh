#!/usr/bin/env bash
# Installs what docker-sync builds and tests with on Debian 12. Idempotent, non-interactive.
set -euo pipefail

packages=(
  pkg-config libcurl4-openssl-dev libyaml-dev libhiredis-dev
  redis-server redis-tools docker-registry skopeo nginx-light apache2-utils openssl curl
  python3 python3-pip
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian starts these on install; tests start their own instances on free ports.
for svc in redis-server nginx docker-registry; do
  $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || $sudo service "$svc" stop >/dev/null 2>&1 || true
done

if ! python3 -c 'import moto.server, flask_cors' >/dev/null 2>&1; then
  echo "install-deps: installing moto[server] from PyPI"
  python3 -m pip install -q 'moto[server]' || python3 -m pip install -q --break-system-packages 'moto[server]'
fi

command -v swift >/dev/null || { [[ -x /opt/swift/usr/bin/swift ]] || { echo "install-deps: swift not found (expected on PATH or /opt/swift)" >&2; exit 1; }; }
echo "install-deps: ok"
