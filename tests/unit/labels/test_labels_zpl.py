from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from tests.document_builders import impb_of

from postbridge.carriers.usps.samples import usps_sample_label as sample_label
from postbridge.identifiers import parse_impb_barcode
from postbridge.labels import CustomsCategory, CustomsFormType, Party, render_zpl
from postbridge.labels.code128 import FNC1, code128_module_count
from postbridge.labels.zpl import zpl_code128_field


def barcode_fields(zpl: str) -> list[str]:
    return re.findall(r"\^BCN,\d+,N,N,N\^FD([^^]*)\^FS", zpl)


def test_one_block_per_label_in_utf8() -> None:
    labels = [sample_label(serial=n) for n in range(1, 6)]

    zpl = render_zpl(labels)

    assert zpl.count("^XA") == zpl.count("^XZ") == 5
    assert zpl.count("^CI28") == 5
    assert zpl.count("^PW812^LL1218") == 5
    assert all(block.startswith("^XA") for block in zpl.strip().split("\n"))


def test_barcode_fields_carry_s10_and_gs1_impb() -> None:
    label = sample_label(serial=12_345_678)
    assert label.partner_barcode is not None

    fields = barcode_fields(render_zpl([label]))

    zip_code = impb_of(label).routing_zip
    pic = impb_of(label).tracking_number.digits
    assert fields == [f">;>8420{zip_code}>8{pic}", f">:{label.s10.text}"]
    assert "^BY3" in render_zpl([label])


def test_human_readable_lines() -> None:
    label = sample_label()
    assert label.partner_barcode is not None

    zpl = render_zpl([label])

    assert "^FDUSPS TRACKING #^FS" in zpl
    assert f"^FD{impb_of(label).tracking_number.grouped}^FS" in zpl
    assert f"^FD{label.s10.spaced}^FS" in zpl
    assert "^FDNEW YORK, NY 10118^FS" in zpl


def test_cn22_block_lists_items_and_documents_list_none() -> None:
    goods = render_zpl([sample_label()])
    documents = render_zpl([sample_label(category=CustomsCategory.DOCUMENTS)])

    assert "^FDCUSTOMS DECLARATION  CN 22^FS" in goods
    assert "^FDBluetooth earphones^FS" in goods
    assert "^FD851762^FS" in goods
    assert "^FDHS code^FS" in goods
    assert "^FDHS code^FS" not in documents
    assert "no item list" in documents


def test_cn23_label_points_to_the_form() -> None:
    zpl = render_zpl([sample_label(form_type=CustomsFormType.CN23)])
    label_page, form_page = zpl.strip().split("\n")

    assert "CN 23 ATTACHED" in label_page
    assert "Bluetooth earphones" not in label_page
    assert "^FD1. Bluetooth earphones^FS" in form_page
    assert "^FDCUSTOMS DECLARATION^FS" in form_page


def test_chinese_text_is_a_bitmap_or_uses_the_named_printer_font() -> None:
    label = sample_label()

    default = render_zpl([label])
    with_font = render_zpl([label], cjk_font="E:ANMDS.TTF")

    assert "深圳" not in default
    assert default.count("^GFA,") == 3
    assert "^A@N,20,20,E:ANMDS.TTF^FD深圳市华强北电子有限公司^FS" in with_font
    assert "^GFA," not in with_font


def test_control_characters_in_text_are_escaped() -> None:
    sender = Party(name="Tom ^XZ Lee", lines=("Unit_5 ~ Dock",))
    zpl = render_zpl([replace(sample_label(), sender=sender)])

    assert "^FH_^FDTom _5EXZ Lee^FS" in zpl
    assert "^FH_^FDUnit_5F5 _7E Dock^FS" in zpl
    assert zpl.count("^XZ") == 1


def test_field_widths_match_the_encoder_for_gs1_and_ascii() -> None:
    gs1 = f"{FNC1}42010118{FNC1}9274890123456700475144"
    assert zpl_code128_field(gs1) == (">;>842010118>89274890123456700475144", 222)
    assert code128_module_count(gs1) == 222
    assert zpl_code128_field("A>B") == (">:A>0B", 68)
    with pytest.raises(ValueError, match="subset B"):
        zpl_code128_field("Ā")


RENDERER_DIR = os.environ.get("POSTBRIDGE_ZPL_RENDERER_DIR", "")
NODE_SCRIPT = """
const { ready } = require("zpl-renderer-js");
const fs = require("node:fs");
(async () => {
  const { api } = await ready;
  const png = await api.zplToBase64Async(fs.readFileSync(process.argv[2], "utf8"), 101.6, 152.4, 8);
  fs.writeFileSync(process.argv[3], Buffer.from(png, "base64"));
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
"""


@pytest.mark.slow
@pytest.mark.skipif(
    not (RENDERER_DIR and shutil.which("node")),
    reason="set POSTBRIDGE_ZPL_RENDERER_DIR to a folder with npm zpl-renderer-js installed",
)
def test_zpl_renders_and_its_barcodes_decode(tmp_path: Path) -> None:
    label = sample_label(serial=27_182_818)
    assert label.partner_barcode is not None
    (tmp_path / "label.zpl").write_text(render_zpl([label]), encoding="utf-8")
    script = tmp_path / "render_zpl.cjs"
    script.write_text(NODE_SCRIPT, encoding="utf-8")

    subprocess.run(
        ["node", str(script), str(tmp_path / "label.zpl"), str(tmp_path / "label.png")],
        check=True,
        timeout=120,
        env={**os.environ, "NODE_PATH": str(Path(RENDERER_DIR) / "node_modules")},
    )

    image = Image.open(io.BytesIO((tmp_path / "label.png").read_bytes()))
    texts = sorted(r.text for r in zxingcpp.read_barcodes(image))
    assert texts == sorted([impb_of(label).element_string, label.s10.text])
    assert parse_impb_barcode(impb_of(label).element_string) == impb_of(label)
