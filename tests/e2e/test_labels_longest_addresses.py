"""Issue 11, points 1-3: labels booked through the API for the longest address each destination
allows carry every line, the postcode, the tax id where customs ask, and readable CJK, in PDF,
PNG and ZPL; a CN22 whose items do not fit becomes a CN23 listing every item."""

from __future__ import annotations

import copy
import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from postbridge.labels.fonts import png_font_for, unicode_font_path
from tests.builders import shipment_body
from tests.e2e.conftest import auth
from tests.labels_longest import (
    EXPECTED_LINES,
    EXPECTED_TAX_ID,
    LONGEST,
    SENDER_ZH,
    draws_glyph,
    pdf_text,
    words,
    zpl_prints_text_as_graphic,
    zpl_text,
)

ITEM_ZH = {
    "description": "蓝牙耳机 Bluetooth earphones",
    "quantity": 2,
    "unit_value": {"amount": "9.20", "currency": "USD"},
    "hs_code": "851762",
    "origin_country": "CN",
    "unit_weight_g": 48,
}
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


def book(client: TestClient, key: str, recipient: dict[str, Any], **overrides: Any) -> dict:
    body = shipment_body(recipient=recipient, items=[ITEM_ZH], **overrides)
    body["sender"] = copy.deepcopy(SENDER_ZH)
    response = client.post("/v1/shipments", json=body, headers=auth(key))
    assert response.status_code == 201, response.text
    return response.json()


def label(client: TestClient, key: str, shipment_id: str, label_format: str) -> bytes:
    response = client.get(
        f"/v1/shipments/{shipment_id}/label?format={label_format}", headers=auth(key)
    )
    assert response.status_code == 200, response.text
    return response.content


def expected_texts(country: str) -> list[str]:
    recipient = LONGEST[country]
    texts = [recipient["name"], recipient["company"], *EXPECTED_LINES[country]]
    if country in EXPECTED_TAX_ID:
        texts.append(EXPECTED_TAX_ID[country])
    return texts


@pytest.mark.parametrize("country", sorted(LONGEST))
def test_pdf_carries_every_line_postcode_tax_id_and_cjk(
    client: TestClient, merchant_key: str, country: str
) -> None:
    shipment = book(client, merchant_key, LONGEST[country])
    pages = pdf_text(label(client, merchant_key, shipment["id"], "pdf"))

    first = words(pages[0])
    for text in expected_texts(country):
        assert words(text) in first, text
    assert LONGEST[country]["postal_code"] in first
    assert words(f"Tel {shipment['recipient']['phone']}") in first
    # The FROM block: the whole sender, with its province and postcode, in Chinese and Latin.
    for text in ("李伟 Li Wei", "深圳市华强北电子有限公司 Huaqiangbei Electronics Co Ltd",
                 "华强北路1002号 赛格广场21楼", "GUANGDONG SHENG, 518031", "CHINA"):  # fmt: skip
        assert words(text) in first, text
    # The CJK item description is on the customs form (the CN22 block or the CN23 page).
    assert any("蓝牙耳机 Bluetooth earphones" in words(page) for page in pages)
    assert "REP. OF SINGAPORE" not in first
    assert "more item(s)" not in " ".join(pages)


@pytest.mark.parametrize("country", sorted(LONGEST))
def test_zpl_carries_every_line_and_prints_cjk_as_bitmaps(
    client: TestClient, merchant_key: str, country: str
) -> None:
    shipment = book(client, merchant_key, LONGEST[country])
    zpl = label(client, merchant_key, shipment["id"], "zpl").decode("utf-8")
    pages = zpl.strip().split("\n")

    text = words(zpl_text(pages[0]).replace("\n", " "))
    for expected in expected_texts(country):
        assert words(expected) in text, expected
    assert "?" not in zpl_text(zpl)
    assert zpl_prints_text_as_graphic(pages[0], "李伟 Li Wei")
    assert zpl_prints_text_as_graphic(pages[0], "华强北路1002号 赛格广场21楼")
    customs = "\n".join(pages) if shipment["customs_form"] == "CN23" else pages[0]
    assert "蓝牙耳机" not in customs  # sent as a bitmap, not as characters font 0 lacks
    assert any(
        zpl_prints_text_as_graphic(page, line)
        for page in pages
        for line in ("蓝牙耳机 Bluetooth earphones", "1. 蓝牙耳机 Bluetooth earphones")
    )


@pytest.mark.parametrize("country", sorted(LONGEST))
def test_png_draws_every_character_with_a_real_glyph(
    client: TestClient, merchant_key: str, country: str
) -> None:
    shipment = book(client, merchant_key, LONGEST[country])
    png = Image.open(io.BytesIO(label(client, merchant_key, shipment["id"], "png")))

    assert png.size == (812, 1218)
    assert shipment["tracking_number"] in {r.text for r in zxingcpp.read_barcodes(png)}
    assert unicode_font_path() is not None, "no CJK font: run scripts/bootstrap.sh"
    for text in ("李伟 Li Wei", "蓝牙耳机 Bluetooth earphones", *expected_texts(country)):
        font, printable = png_font_for(text, size_px=20, bold=True)
        assert printable == text  # no "?" stand-ins
        assert all(draws_glyph(font, char) for char in text if not char.isspace()), text


def test_us_street_written_only_in_chinese_is_refused_naming_the_field(
    client: TestClient, merchant_key: str
) -> None:
    recipient = copy.deepcopy(LONGEST["US"])
    recipient["street_lines"] = ["国会大道100号", "Suite 1500"]
    body = shipment_body(recipient=recipient)

    response = client.post("/v1/shipments", json=body, headers=auth(merchant_key))

    assert response.status_code == 422
    problems = response.json()["errors"]
    assert [p["field"] for p in problems] == ["recipient.street_lines[0]"]
    assert "Latin" in problems[0]["message"]


def test_address_too_long_for_any_label_is_refused_naming_the_field(
    client: TestClient, merchant_key: str
) -> None:
    recipient = copy.deepcopy(LONGEST["BR"])
    recipient["street_lines"][1] = "Bloco B " + "Apartamento 42 Torre Sul " * 7

    response = client.post(
        "/v1/shipments", json=shipment_body(recipient=recipient), headers=auth(merchant_key)
    )

    assert response.status_code == 422
    problems = response.json()["errors"]
    assert [p["field"] for p in problems] == ["recipient.street_lines[1]"]
    assert problems[0]["message"].startswith("too long to print")


def test_eight_items_go_on_a_cn23_that_lists_every_one(
    client: TestClient, merchant_key: str
) -> None:
    items = [
        {**ITEM_ZH, "description": f"Item {n} kitchen utensil set", "quantity": 1}
        for n in range(1, 9)
    ]
    body = shipment_body(items=items)
    response = client.post("/v1/shipments", json=body, headers=auth(merchant_key))
    assert response.status_code == 201, response.text
    shipment = response.json()
    assert shipment["customs_form"] == "CN23"

    pages = pdf_text(label(client, merchant_key, shipment["id"], "pdf"))
    zpl = label(client, merchant_key, shipment["id"], "zpl").decode("utf-8")

    assert "CN 23 ATTACHED" in pages[0]
    form = words(" ".join(pages[1:]))
    for n in range(1, 9):
        assert f"{n}. Item {n} kitchen utensil set" in form
    assert form.count("851762") == 8
    assert "more item(s)" not in form
    zpl_form = words(zpl_text("\n".join(zpl.strip().split("\n")[1:])).replace("\n", " "))
    for n in range(1, 9):
        assert f"{n}. Item {n} kitchen utensil set" in zpl_form


@pytest.mark.slow
@pytest.mark.skipif(
    not (RENDERER_DIR and shutil.which("node")),
    reason="set POSTBRIDGE_ZPL_RENDERER_DIR to a folder with npm zpl-renderer-js installed",
)
def test_zpl_of_the_longest_brazilian_address_renders_and_scans(
    client: TestClient, merchant_key: str, tmp_path: Path
) -> None:
    shipment = book(client, merchant_key, LONGEST["BR"])
    zpl = label(client, merchant_key, shipment["id"], "zpl").decode("utf-8")
    (tmp_path / "label.zpl").write_text(zpl.split("\n")[0], encoding="utf-8")
    script = tmp_path / "render_zpl.cjs"
    script.write_text(NODE_SCRIPT, encoding="utf-8")

    subprocess.run(
        ["node", str(script), str(tmp_path / "label.zpl"), str(tmp_path / "label.png")],
        check=True,
        timeout=120,
        env={**os.environ, "NODE_PATH": str(Path(RENDERER_DIR) / "node_modules")},
    )

    image = Image.open(tmp_path / "label.png")
    assert shipment["tracking_number"] in {r.text for r in zxingcpp.read_barcodes(image)}
