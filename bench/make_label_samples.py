"""Write the sample labels committed under docs/samples/ (deterministic output).

.venv/bin/python bench/make_label_samples.py [--out docs/samples]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from postbridge.carriers.usps.samples import usps_sample_label as sample_label
from postbridge.labels import CustomsFormType, render_pdf, render_png, render_zpl
from postbridge.labels.png import render_png_pages
from postbridge.labels.samples import SAMPLE_ITEMS, long_address_label
from postbridge.labels.samples import sample_label as plain_sample_label

ROOT = Path(__file__).resolve().parents[1]


def write_samples(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    cn22 = sample_label()
    cn23 = sample_label(form_type=CustomsFormType.CN23, serial=10_158_380)
    files = {
        "label-4x6.pdf": render_pdf([cn22]),
        "label-4x6.png": render_png(cn22),
        "label-4x6.zpl": render_zpl([cn22]).encode("utf-8"),
        "label-4x6-cn23.pdf": render_pdf([cn23]),
        "label-a6.pdf": render_pdf([cn22], page_size="A6"),
    }
    # Issue 11: the longest US and Brazilian addresses, and a CN23 with 8 items.
    us_long = long_address_label(sample_label(serial=10_251_122), "US")
    br_long = long_address_label(plain_sample_label(serial=10_262_233), "BR")
    eight = tuple(SAMPLE_ITEMS[n % 3] for n in range(8))
    cn23_eight = sample_label(form_type=CustomsFormType.CN23, serial=10_273_344, items=eight)
    for stem, sample in (
        ("label-4x6-us-longest", us_long),
        ("label-4x6-br-longest", br_long),
        ("label-4x6-cn23-8-items", cn23_eight),
    ):
        files[f"{stem}.pdf"] = render_pdf([sample])
        files[f"{stem}.zpl"] = render_zpl([sample]).encode("utf-8")
        for page, png in enumerate(render_png_pages(sample), start=1):
            files[f"{stem}-page{page}.png" if page > 1 else f"{stem}.png"] = png
    written = []
    for name, content in files.items():
        path = out / name
        path.write_bytes(content)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "samples")
    args = parser.parse_args()
    for path in write_samples(args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
