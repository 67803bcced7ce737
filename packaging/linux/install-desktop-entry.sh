#!/bin/sh
# Adds KCP Desk to the desktop's application menu for the current user: the .desktop entry
# (pointing at this folder's kcpdesk) and the icon in the hicolor theme. Run it from the
# extracted bundle: ./install-desktop-entry.sh        (--uninstall removes both again)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
apps="$data/applications"
icons="$data/icons/hicolor"

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$apps/kcpdesk.desktop"
  for f in "$icons"/*/apps/kcpdesk.png "$icons"/scalable/apps/kcpdesk.svg; do rm -f "$f"; done
  echo "removed the KCP Desk menu entry"
  exit 0
fi

[ -x "$here/kcpdesk" ] || { echo "no kcpdesk executable next to $0" >&2; exit 1; }
mkdir -p "$apps"
# Exec/TryExec get the absolute path, quoted as the Desktop Entry spec asks
exe=$(printf '%s' "$here/kcpdesk" | sed 's/[\\"`$]/\\&/g')
sed -e "s|^Exec=.*|Exec=\"$exe\"|" -e "/^Exec=/a TryExec=$here/kcpdesk" \
  "$here/kcpdesk.desktop" > "$apps/kcpdesk.desktop"
res="$here/_internal/resources/icons"
for png in "$res"/kcpdesk-*.png "$res"/kcpdesk.png; do
  [ -f "$png" ] || continue
  size=$(basename "$png" .png | sed -n 's/^kcpdesk-\([0-9]*\)$/\1/p')
  [ -n "$size" ] || size=256
  mkdir -p "$icons/${size}x${size}/apps"
  cp "$png" "$icons/${size}x${size}/apps/kcpdesk.png"
done
if [ -f "$res/kcpdesk.svg" ]; then
  mkdir -p "$icons/scalable/apps" && cp "$res/kcpdesk.svg" "$icons/scalable/apps/kcpdesk.svg"
fi
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons" || true
echo "installed $apps/kcpdesk.desktop -> $here/kcpdesk"
