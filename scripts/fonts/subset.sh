#!/usr/bin/env bash
# Subset the Simplified-Chinese faces of Debian's fonts-noto-cjk into assets/fonts/.
# Needs: fonts-noto-cjk (Debian), pyftsubset (pip3 install fonttools).
# The outputs are committed; builds never download or run this script.
set -euo pipefail

SRC=${NOTO_DIR:-/usr/share/fonts/opentype/noto}
OUT=${OUT_DIR:-"$(cd "$(dirname "$0")/../.." && pwd)/assets/fonts"}
mkdir -p "$OUT"

# SC face index inside each .ttc (JP=0, KR=1, SC=2, TC=3, HK=4), checked with
# python3 -c "from fontTools.ttLib import TTCollection; ..." (see SOURCES.md).
SC_INDEX=2

# Basic Latin + Latin-1, General Punctuation, CJK Symbols and Punctuation,
# full-width forms, CJK Unified Ideographs (URO), Ext-A, plus
# 〔〕【】《》“”‘’—…·● (most are already inside the ranges above).
UNICODES="U+0020-007E,U+00A0-00FF,U+2000-206F,U+3000-303F,U+FF00-FFEF,U+4E00-9FFF,U+3400-4DBF,U+3014,U+3015,U+3010,U+3011,U+300A,U+300B,U+201C,U+201D,U+2018,U+2019,U+2014,U+2026,U+00B7,U+25CF,U+2460-2473,U+00D7,U+2192,U+2610,U+2611,U+25A1"

# OpenType features typst uses for horizontal Chinese text, plus vertical and
# proportional/half-width punctuation forms. Not '*': the JP/KR/TC variant
# features (locl, jp78, trad, …) would pull ~10k unused glyphs into the closure.
FEATURES="ccmp,calt,liga,clig,kern,mark,mkmk,rlig,rvrn,palt,halt,vert,vrt2,vpal,vhal,vkrn"

subset() {
  local ttc=$1 out=$2
  pyftsubset "$SRC/$ttc" \
    --font-number=$SC_INDEX \
    --unicodes="$UNICODES" \
    --layout-features="$FEATURES" \
    --name-IDs='*' --name-languages='*' --name-legacy \
    --no-hinting \
    --output-file="$OUT/$out"
  echo "$out: $(stat -c %s "$OUT/$out") bytes"
}

subset NotoSerifCJK-Regular.ttc NotoSerifSC-Regular.otf &
subset NotoSerifCJK-Bold.ttc    NotoSerifSC-Bold.otf &
wait
subset NotoSansCJK-Regular.ttc  NotoSansSC-Regular.otf &
subset NotoSansCJK-Bold.ttc     NotoSansSC-Bold.otf &
wait

( cd "$OUT" && sha256sum NotoSerifSC-Regular.otf NotoSerifSC-Bold.otf NotoSansSC-Regular.otf NotoSansSC-Bold.otf )
