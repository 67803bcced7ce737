#!/usr/bin/env bash
# Builds the KCP Desk bundle with PyInstaller: dist/kcpdesk/kcpdesk (one folder), or with
# --onefile dist/onefile/kcpdesk (one file). Installs PyInstaller into the venv when it is missing.
#
#   bash packaging/build.sh [--onefile] [--no-trim] [--no-strip] [--archive] [--clean]
#
#   --no-trim   keep everything PyInstaller collects (the size baseline)
#   --archive   also pack dist/kcpdesk-VERSION-linux-ARCH.tar.gz (one-folder build)
#   --clean     start from an empty PyInstaller cache and work dir
# Environment: PYTHON (default .venv/bin/python), KCPDESK_DIST (default dist),
# KCPDESK_WORK (default build/pyinstaller).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PY="${PYTHON:-$ROOT/.venv/bin/python}"
DIST="${KCPDESK_DIST:-$ROOT/dist}"
WORK="${KCPDESK_WORK:-$ROOT/build/pyinstaller}"
PYINSTALLER_REQ="pyinstaller>=6.10,<7"

spec_args=() pyi_args=() archive=0 onefile=0
for arg in "$@"; do
  case "$arg" in
    --no-trim|--no-strip) spec_args+=("$arg") ;;
    --archive) archive=1 ;;
    --clean) pyi_args+=(--clean) ;;
    --onefile) spec_args+=("$arg"); onefile=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

[ -x "$PY" ] || { echo "build.sh: no python at $PY (run scripts/bootstrap.sh first)" >&2; exit 1; }
if [ "$(uname -s)" = Linux ] && ! command -v objdump >/dev/null 2>&1; then
  echo "build.sh: objdump not found: apt-get install binutils" >&2
  exit 1
fi
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "build.sh: installing $PYINSTALLER_REQ into $("$PY" -c 'import sys; print(sys.prefix)')"
  "$PY" -m pip install -q "$PYINSTALLER_REQ"
fi
# the app must be importable from the source tree (an editable install or not)
"$PY" -c "import kcpcore, app" 2>/dev/null \
  || { echo "build.sh: kcpcore/app not importable with $PY: pip install -e '.[gui]'" >&2; exit 1; }

# the one-file build goes to its own folder so it never collides with the one-folder bundle
[ "$onefile" = 0 ] || DIST="${KCPDESK_DIST:-$ROOT/dist/onefile}"

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --log-level WARN "${pyi_args[@]}" \
  --distpath "$DIST" --workpath "$WORK" packaging/kcpdesk.spec -- "${spec_args[@]}"
secs=$(( $(date +%s) - start ))

out="$DIST/kcpdesk"
[ -x "$out" ] || [ -x "$out/kcpdesk" ] || { echo "build.sh: $out was not built" >&2; exit 1; }
size=$(du -sh "$out" | cut -f1)
bytes=$(du -sb "$out" | cut -f1)
files=$(find "$out" -type f | wc -l)
echo "build.sh: built $out in ${secs}s: $size ($bytes bytes, $files files)"

if [ "$archive" = 1 ] && [ -d "$out" ]; then
  version=$("$PY" -c "import kcpcore; print(kcpcore.__version__)")
  tarball="$DIST/kcpdesk-$version-linux-$(uname -m).tar.gz"
  tar -C "$DIST" -czf "$tarball" kcpdesk
  echo "build.sh: archive $tarball: $(du -sh "$tarball" | cut -f1)"
fi
