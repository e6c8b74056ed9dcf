#!/usr/bin/env bash
# Build the ThreatCanvas one-folder bundle, its checksums and a tarball.
#
#   bash packaging/build.sh [--dist DIR] [--work DIR] [--no-tarball] [--self-test]
#
# Output (defaults): dist/threatcanvas/ (the bundle, with SHA256SUMS inside),
# dist/threatcanvas-<version>-<os>-<arch>.tar.gz and its .sha256 file.
# Uses the PyInstaller installed in the build Python (pip extra `packaging`);
# downloads nothing. Every cache stays in the work folder inside the checkout.
# The Python is $PYTHON, else .venv/bin/python if present, else python3.
# See docs/packaging.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

dist="dist"
work="build/pyinstaller"
tarball=1
selftest=0
while (($#)); do
  case "$1" in
    --dist) dist="$2"; shift ;;
    --work) work="$2"; shift ;;
    --no-tarball) tarball=0 ;;
    --self-test) selftest=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# Relative folders are taken from the checkout's root.
absolute() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$root/$1" ;; esac; }
dist=$(absolute "$dist")
work=$(absolute "$work")

if [[ -n "${PYTHON:-}" ]]; then py="$PYTHON"
elif [[ -x .venv/bin/python ]]; then py=.venv/bin/python
else py=python3
fi
if ! "$py" -c "import PyInstaller" 2>/dev/null; then
  echo "build.sh: PyInstaller is not installed for $py." >&2
  echo "  install the packaging extra: $py -m pip install -e '.[packaging]'" >&2
  echo "  (offline: $py -m pip install --no-index --find-links WHEELS_DIR -e '.[packaging]')" >&2
  exit 2
fi

version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' app/__init__.py)
[[ -n "$version" ]] || { echo "build.sh: no __version__ in app/__init__.py" >&2; exit 2; }
case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=macos ;;
  *) os=$(uname -s | tr '[:upper:]' '[:lower:]') ;;
esac
arch=$(uname -m)

# Reproducible output: file times in the tarball come from the last commit,
# never from the clock; the commit is recorded in BUILDINFO.json.
if [[ -z "${SOURCE_DATE_EPOCH:-}" ]]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH
export THREATCANVAS_BUILD_COMMIT="${THREATCANVAS_BUILD_COMMIT:-$(git rev-parse HEAD 2>/dev/null || true)}"
# PyInstaller keeps a binary cache in ~/.cache by default: keep it in the
# work folder so a build leaves nothing behind outside the checkout.
export PYINSTALLER_CONFIG_DIR="$work/config"
# Never write .pyc files into the source tree during the build.
export PYTHONDONTWRITEBYTECODE=1

start=$(date +%s)
echo "building ThreatCanvas $version for $os-$arch with $("$py" -c 'import PyInstaller; print("PyInstaller", PyInstaller.__version__)')"
"$py" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work" packaging/threatcanvas.spec

t_pyinstaller=$(date +%s)
bundle="$dist/threatcanvas"
[[ -x "$bundle/threatcanvas" || -x "$bundle/threatcanvas.exe" ]] || { echo "build.sh: no executable in $bundle" >&2; exit 3; }

if [[ "$os" == linux ]]; then
  # Desktop integration travels inside the bundle, for share/install.sh.
  install -D -m 0644 packaging/linux/threatcanvas.desktop "$bundle/share/applications/threatcanvas.desktop"
  install -D -m 0644 packaging/linux/threatcanvas-mime.xml "$bundle/share/mime/packages/threatcanvas.xml"
  install -D -m 0644 packaging/icons/threatcanvas.svg "$bundle/share/icons/hicolor/scalable/apps/threatcanvas.svg"
  install -D -m 0644 packaging/icons/threatcanvas-256.png "$bundle/share/icons/hicolor/256x256/apps/threatcanvas.png"
  install -D -m 0755 packaging/linux/install.sh "$bundle/share/install.sh"
fi

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }

# SHA256SUMS: every file of the bundle, relative paths, sorted; verify with
# `cd threatcanvas && sha256sum -c SHA256SUMS`.
sums_tmp="$work/SHA256SUMS.tmp"  # outside the bundle, or it would list itself
mkdir -p "$(dirname "$sums_tmp")"
(
  cd "$bundle"
  rm -f SHA256SUMS
  find . -type f | sed 's|^\./||' | LC_ALL=C sort | while IFS= read -r f; do sha256 "$f"; done > "$sums_tmp"
)
mv "$sums_tmp" "$bundle/SHA256SUMS"

t_checksums=$(date +%s)
if ((tarball)); then
  name="threatcanvas-$version-$os-$arch"
  out="$dist/$name.tar.gz"
  rm -f "$out" "$out.sha256"
  if tar --version 2>/dev/null | grep -q GNU; then
    # Deterministic archive: sorted names, fixed times and owners, no gzip timestamp.
    tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
        --transform "s,^threatcanvas,$name," -C "$dist" -cf - threatcanvas | gzip -n > "$out"
  else
    # bsdtar (macOS): no --sort; the content is the same, the byte order may differ.
    tar -C "$dist" -s ",^threatcanvas,$name," -cf - threatcanvas | gzip -n > "$out"
  fi
  (cd "$dist" && sha256 "$name.tar.gz" > "$name.tar.gz.sha256")
fi

end=$(date +%s)
size_mb=$(du -sk "$bundle" | awk '{printf "%.1f", $1/1024}')
files=$(wc -l < "$bundle/SHA256SUMS" | tr -d ' ')
echo "bundle: $bundle ($size_mb MB, $files files), built in $((end - start)) s" \
     "(PyInstaller $((t_pyinstaller - start)) s, checksums $((t_checksums - t_pyinstaller)) s, tarball $((end - t_checksums)) s)"
if ((tarball)); then
  echo "tarball: $out ($(du -k "$out" | awk '{printf "%.1f", $1/1024}') MB)"
  echo "sha256: $(cut -d' ' -f1 "$out.sha256")"
fi

if ((selftest)); then
  "$bundle/threatcanvas" --self-test
fi
