#!/usr/bin/env bash
# Debian packages the tests and the report/replay screenshots need. Installs what is missing when
# run as root (CI, fresh machines); otherwise lists it, and the tests that need it skip with a reason.
set -euo pipefail
# tesseract-ocr + its chi-sim and eng models: OCR of scans; antiword, catdoc: Word 97-2003 and WPS text;
# 7zip: 7z and RAR archives (docs/documents.md)
packages=(chromium fonts-noto-cjk redis-server postgresql openssl gzip ffmpeg wget nodejs
  tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng antiword catdoc 7zip unar)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "not installed (tests that need them will skip): ${missing[*]}" >&2
fi
