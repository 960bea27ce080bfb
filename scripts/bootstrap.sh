#!/usr/bin/env bash
# Create .venv at the repo root and install the locked dependencies into it.
# Idempotent: a second run only checks that .venv matches uv.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.8
PYTHON=${PYTHON:-python3}
if [ ! -x .tools/bin/uv ] || ! .tools/bin/uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
  echo "bootstrap: installing uv $UV_VERSION into .tools/" >&2
  PYTHONPATH= "$PYTHON" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target .tools "uv==$UV_VERSION" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
  [ -x .tools/bin/uv ] || { echo "bootstrap: could not install uv $UV_VERSION with pip" >&2; exit 1; }
fi
export UV_PROJECT_ENVIRONMENT="$PWD/.venv"
export UV_PYTHON_DOWNLOADS=never
PYTHONPATH="$PWD/.tools" .tools/bin/uv sync --frozen --all-groups --python "$PYTHON" --quiet --compile-bytecode

# CJK font for labels (Chinese sender names and item descriptions in PDF, PNG and ZPL). Without
# one, CJK prints as empty boxes or "?". We use WenQuanYi Micro Hei from Debian's
# fonts-wqy-microhei: a maintained Debian package, 1.6 MB, one .ttc that covers simplified and
# traditional Chinese plus Latin, the font .ci/run and most Debian desktops already use. It is
# fetched without root at install time: apt-get with private state and cache directories
# downloads the signed .deb (verified against the system's Debian keyring), dpkg-deb unpacks it,
# and only the font file is kept in .venv/var/fonts/ (labels/fonts.py looks there first). At run
# time nothing is fetched. Skipped when the file is already there; set POSTBRIDGE_LABEL_FONT to
# use another font instead. (The PyPI and npm registries have no maintained CJK TTF: the npm
# @fontsource packages are WOFF2 slices reportlab cannot embed.)
CJK_FONT=.venv/var/fonts/wqy-microhei.ttc
if [ -z "${POSTBRIDGE_LABEL_FONT:-}" ] && [ ! -s "$CJK_FONT" ]; then
  if command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
    work=$(mktemp -d)
    apt_opts=(-qq -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
      -o Debug::NoLocking=1 -o "APT::Sandbox::User=$(id -un)")
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$(dirname "$CJK_FONT")"
    if apt-get "${apt_opts[@]}" update >"$work/log" 2>&1 \
      && (cd "$work" && apt-get "${apt_opts[@]}" download fonts-wqy-microhei >>"$work/log" 2>&1) \
      && dpkg-deb -x "$work"/fonts-wqy-microhei_*.deb "$work/root" \
      && cp "$work/root/usr/share/fonts/truetype/wqy/wqy-microhei.ttc" "$CJK_FONT.tmp"; then
      mv "$CJK_FONT.tmp" "$CJK_FONT"
      echo "bootstrap: CJK label font installed in $CJK_FONT" >&2
    else
      echo "bootstrap: warning: could not fetch fonts-wqy-microhei (see below); labels will print" \
        "Chinese text only where a system CJK font exists" >&2
      tail -3 "$work/log" >&2 || true
    fi
    rm -rf "$work"
  else
    echo "bootstrap: warning: no apt-get/dpkg-deb to fetch the CJK label font; set" \
      "POSTBRIDGE_LABEL_FONT to a .ttf/.ttc with Chinese glyphs" >&2
  fi
fi
