#!/usr/bin/env bash
# Builds the Debian package of Rapport: /usr/bin/rapport (with the web app inside), the systemd
# unit, /etc/rapport/rapport.conf and rapport.env, and the scripts that make the rapport user and
# migrate the database (packaging/). Its dependencies are the shared libraries the binary links,
# as dpkg-shlibdeps finds them.
#   scripts/package-deb.sh [--binary PATH] [--out DIR] [--fast]
# Without --binary it builds the release binary first (only rapport, not the tests). --fast
# compresses lightly (gzip -1, for tests). Prints the package's path.
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$(pwd)

binary=""
out="$source_dir/build/package"
compression=(-Zxz -z6)
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --fast) compression=(-Zgzip -z1); shift ;;
    *) echo "package-deb.sh: unknown option $1 (use --binary, --out or --fast)" >&2; exit 2 ;;
  esac
done
for tool in dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "package-deb.sh: $tool is missing (scripts/setup.sh installs dpkg-dev)" >&2; exit 1; }
done

if [ -z "$binary" ]; then
  if [ ! -f build/release/build.ninja ]; then cmake --preset release >/dev/null; fi
  cmake --build --preset release --target rapport >&2
  binary=build/release/src/rapport
fi
[ -x "$binary" ] || { echo "package-deb.sh: $binary is not an executable" >&2; exit 1; }

# The version: the release's, then the commit's time and name, so that later builds sort later.
release=$("$binary" version | awk 'NR == 1 { print $2 }')
commit_time=$(git log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S 2>/dev/null || echo 0)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
version="${release}+${commit_time}.g${commit}"
arch=$(dpkg --print-architecture)

work=$(mktemp -d "${TMPDIR:-/tmp}/rapport-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage="$work/rapport_${version}_${arch}"
install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/rapport" \
  "$stage/usr/share/doc/rapport"
# Without debugging symbols: a tenth of the size.
objcopy --strip-debug --strip-unneeded "$binary" "$stage/usr/bin/rapport"
chmod 0755 "$stage/usr/bin/rapport"
install -m 0644 packaging/rapport.service "$stage/lib/systemd/system/rapport.service"
install -m 0640 packaging/rapport.conf packaging/rapport.env "$stage/etc/rapport/"
install -m 0644 README.md "$stage/usr/share/doc/rapport/README.md"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$stage/DEBIAN/"
install -m 0644 packaging/debian/conffiles "$stage/DEBIAN/"

# The libraries' packages, as dpkg-shlibdeps reads them from the binary.
mkdir -p "$work/debian"
printf 'Source: rapport\n\nPackage: rapport\nArchitecture: any\n' > "$work/debian/control"
depends=$(cd "$work" && dpkg-shlibdeps -O "$stage/usr/bin/rapport" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "package-deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@SIZE@|$size|" -e "s|@DEPENDS@|$depends|" \
  packaging/debian/control.in > "$stage/DEBIAN/control"

mkdir -p "$out"
dpkg-deb --root-owner-group "${compression[@]}" --build "$stage" "$out/rapport_${version}_${arch}.deb" >/dev/null
echo "$out/rapport_${version}_${arch}.deb"
