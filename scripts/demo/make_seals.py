#!/usr/bin/env python3
"""Draws the demo units' electronic seal images (assets/demo/seal-*.png).

Demo data only: a real bureau uploads its own seal image on the 电子印章 page.
Needs Pillow and Debian's fonts-noto-cjk:  python3 scripts/demo/make_seals.py
"""
import math

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
SC = 2  # face index of Noto Sans CJK SC in the collection


def seal(text, bottom, out, size=600):
    w = size
    img = Image.new("RGBA", (w, w), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    red = (215, 25, 32, 235)
    c = w / 2
    r = w / 2 - 12
    d.ellipse([c - r, c - r, c + r, c + r], outline=red, width=16)
    pts = []
    for i in range(10):
        rr = 95 if i % 2 == 0 else 38
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    d.polygon(pts, fill=red)
    font = ImageFont.truetype(FONT, 58, index=SC)
    n = len(text)
    span = math.radians(250)
    start = -math.pi / 2 - span / 2
    for i, ch in enumerate(text):
        a = start + span * (i + 0.5) / n
        rr = r - 62
        x = c + rr * math.cos(a)
        y = c + rr * math.sin(a)
        g = Image.new("RGBA", (80, 80), (0, 0, 0, 0))
        ImageDraw.Draw(g).text((40, 40), ch, font=font, fill=red, anchor="mm")
        g = g.rotate(-math.degrees(a + math.pi / 2), resample=Image.BICUBIC)
        img.alpha_composite(g, (int(x - 40), int(y - 40)))
    f2 = ImageFont.truetype(FONT, 44, index=SC)
    d.text((c, c + 160), bottom, font=f2, fill=red, anchor="mm")
    img.save(out, optimize=True)


seal("石家庄市鹿泉区人力资源和社会保障局", "行政执法专用章", "assets/demo/seal-district-bureau.png")
seal("石家庄市鹿泉区劳动和社会保障监察大队", "执法专用章", "assets/demo/seal-inspection-brigade.png")
