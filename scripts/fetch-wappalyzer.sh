#!/usr/bin/env bash
# Reproduce third_party/wappalyzer/ from the npm registry.
#
# wappalyzer@6.10.47 is the last MIT-licensed release of the Wappalyzer
# technology data. This script packs it with `npm pack` into a temporary
# directory and copies technologies/*.json, categories.json and the LICENSE.
#
# Usage: scripts/fetch-wappalyzer.sh [VERSION]
set -euo pipefail

VERSION="${1:-6.10.47}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/third_party/wappalyzer"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "wappalyzer@${VERSION}" >/dev/null)
tar -xzf "$TMP"/wappalyzer-"${VERSION}".tgz -C "$TMP"
PKG="$TMP/package"

mkdir -p "$DEST/technologies"
rm -f "$DEST"/technologies/*.json
cp "$PKG"/technologies/*.json "$DEST/technologies/"
cp "$PKG/categories.json" "$DEST/categories.json"
if [ -f "$PKG/LICENSE" ]; then
  cp "$PKG/LICENSE" "$DEST/LICENSE"
else
  # The 6.10.x packages ship no LICENSE file; the license is declared in
  # package.json ("license": "MIT", "author": "Wappalyzer"). Write the MIT
  # text with that declaration, and refuse anything that is not MIT.
  LICENSE_ID="$(node -e 'console.log(require(process.argv[1]).license)' "$PKG/package.json")"
  AUTHOR="$(node -e 'const a=require(process.argv[1]).author;console.log(typeof a==="string"?a:a.name)' "$PKG/package.json")"
  if [ "$LICENSE_ID" != "MIT" ]; then
    echo "error: wappalyzer@${VERSION} is licensed $LICENSE_ID, not MIT" >&2
    exit 1
  fi
  cat > "$DEST/LICENSE" <<LICENSE
MIT License

Copyright (c) ${AUTHOR} (wappalyzer@${VERSION}, https://github.com/wappalyzer/wappalyzer)

The npm package wappalyzer@${VERSION} declares "license": "MIT" in its
package.json and ships no LICENSE file; this is the MIT license text.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENSE
fi
node -e 'const p=require(process.argv[1]);console.log(p.name+"@"+p.version+" license="+p.license)' "$PKG/package.json"
echo "wrote $(ls "$DEST"/technologies/*.json | wc -l) technology files to $DEST"
