#!/usr/bin/env bash
# Sets up a fresh Debian machine (Python >= 3.11) for KCP Desk: system packages when root,
# then a virtualenv in .venv with the engine, the GUI and the test tools. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # kcptun: the Go reference peer for interop tests and benchmarks; iproute2 + gcc: the
  # namespace link emulator; xvfb + xauth: real-window screenshots; the xcb/egl/font libs: Qt;
  # binutils: objdump/strip for the PyInstaller bundle (packaging/build.sh); systemd:
  # systemd-analyze verifies the shipped service units (tests/ops); fonts-wqy-microhei: a CJK
  # font, so the Chinese translation renders (screenshots under Xvfb) instead of boxes.
  $SUDO apt-get install -y -qq --no-install-recommends \
    kcptun iproute2 gcc libc6-dev xvfb xauth python3-venv binutils \
    libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xkb1 \
    libxcb-render-util0 libxcb-image0 libxcb-randr0 fonts-dejavu-core fonts-wqy-microhei \
    systemd >/dev/null
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[gui,test]'
