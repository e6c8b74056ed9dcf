#!/bin/sh
# Install an unpacked ThreatCanvas bundle on Linux, offline.
#
#   share/install.sh            # as root: /opt/threatcanvas, /usr/local/bin, /usr/local/share
#   share/install.sh --user     # for yourself: ~/.local/opt, ~/.local/bin, ~/.local/share
#   share/install.sh --prefix P # bundle in P/opt/threatcanvas, links in P/bin, P/share
#   share/install.sh --uninstall [--user | --prefix P]
#
# Copies the bundle (this script's parent folder), links the `threatcanvas`
# command into bin/, installs the desktop entry, the MIME type for *.tcm.json
# and the icon, and refreshes the desktop databases when their tools exist.
# Needs nothing but POSIX sh and coreutils; touches no network.
set -eu

bundle=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
prefix=/usr/local
optdir=/opt/threatcanvas
mode=install

while [ $# -gt 0 ]; do
  case "$1" in
    --user) prefix="${HOME}/.local"; optdir="${HOME}/.local/opt/threatcanvas" ;;
    --prefix) shift; prefix="$1"; optdir="$1/opt/threatcanvas" ;;
    --uninstall) mode=uninstall ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

share="${prefix}/share"
refresh() {
  # Optional tools: a minimal system without them still gets working files.
  if command -v update-mime-database >/dev/null 2>&1; then update-mime-database "${share}/mime" || true; fi
  if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "${share}/applications" || true; fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q -t "${share}/icons/hicolor" 2>/dev/null || true; fi
}

if [ "$mode" = uninstall ]; then
  rm -f "${prefix}/bin/threatcanvas" \
        "${share}/applications/threatcanvas.desktop" \
        "${share}/mime/packages/threatcanvas.xml" \
        "${share}/icons/hicolor/scalable/apps/threatcanvas.svg" \
        "${share}/icons/hicolor/256x256/apps/threatcanvas.png"
  rm -rf "${optdir}"
  refresh
  echo "ThreatCanvas removed from ${optdir} and ${prefix}"
  exit 0
fi

[ -x "${bundle}/threatcanvas" ] || { echo "install.sh: ${bundle}/threatcanvas not found: run me from an unpacked bundle" >&2; exit 2; }

# Copy the bundle unless it is already where it should be.
if [ "$(CDPATH='' cd -- "${optdir}" 2>/dev/null && pwd || true)" != "${bundle}" ]; then
  rm -rf "${optdir}.new"
  mkdir -p "$(dirname -- "${optdir}")"
  cp -R "${bundle}" "${optdir}.new"
  rm -rf "${optdir}"
  mv "${optdir}.new" "${optdir}"
fi

mkdir -p "${prefix}/bin" "${share}/applications" "${share}/mime/packages" \
         "${share}/icons/hicolor/scalable/apps" "${share}/icons/hicolor/256x256/apps"
ln -sf "${optdir}/threatcanvas" "${prefix}/bin/threatcanvas"
# Absolute Exec/TryExec: the entry works even when bin/ is not on PATH.
sed -e "s|^Exec=threatcanvas |Exec=${optdir}/threatcanvas |" \
    -e "s|^TryExec=threatcanvas\$|TryExec=${optdir}/threatcanvas|" \
    "${optdir}/share/applications/threatcanvas.desktop" > "${share}/applications/threatcanvas.desktop"
cp "${optdir}/share/mime/packages/threatcanvas.xml" "${share}/mime/packages/threatcanvas.xml"
cp "${optdir}/share/icons/hicolor/scalable/apps/threatcanvas.svg" "${share}/icons/hicolor/scalable/apps/"
cp "${optdir}/share/icons/hicolor/256x256/apps/threatcanvas.png" "${share}/icons/hicolor/256x256/apps/"
refresh
echo "ThreatCanvas installed in ${optdir}; command: ${prefix}/bin/threatcanvas"
echo "check it with: ${prefix}/bin/threatcanvas --self-test"
