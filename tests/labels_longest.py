"""The longest addresses booking accepts for each destination of the demo network, and helpers
that read a label back out of its PDF (pdftotext), ZPL (fields and ^GFA bitmaps) and PNG.

Every field is filled: name, company, the four street lines the API allows, locality, phone,
and the tax id where the destination's customs ask for one (tax_ids.yaml). Lengths are what
booking's label check (``labels.fit``) lets through with the tallest partner barcode block.
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

from postbridge.labels.zpl_graphics import text_graphic

SENDER_ZH: dict[str, Any] = {
    "name": "李伟 Li Wei",
    "company": "深圳市华强北电子有限公司 Huaqiangbei Electronics Co Ltd",
    "street_lines": ["华强北路1002号 赛格广场21楼", "1002 Huaqiang North Road, SEG Plaza 21F"],
    "city": "Shenzhen",
    "region": "Guangdong",
    "postal_code": "518031",
    "country": "CN",
    "phone": "+86 755 8321 0000",
}

LONGEST: dict[str, dict[str, Any]] = {
    "US": {
        "name": "Jane Alexandra Montgomery-Richardson",
        "company": "Acme Gadgets International Holdings LLC",
        "street_lines": [
            "100 Congress Avenue, Frost Bank Tower East",
            "Suite 1500, Attention Receiving Department",
            "Loading Dock 4, Freight Elevator Entrance",
            "Deliver between 9 AM and 5 PM Monday-Friday",
        ],
        "city": "Austin",
        "region": "TX",
        "postal_code": "78701",
        "country": "US",
        "phone": "512-555-0100",
    },
    "BR": {
        "name": "Ana Carolina de Souza Albuquerque",
        "company": "Loja Exemplo Comércio Eletrônico Ltda",
        "street_lines": [
            "Avenida Paulista, 1578, Conjunto Nacional",
            "Bloco B, Apartamento 42, Torre Sul, 4º andar",
            "Bela Vista",
            "Referência: em frente à estação Trianon-Masp",
        ],
        "city": "São Paulo",
        "region": "SP",
        "postal_code": "01310-200",
        "country": "BR",
        "phone": "+55 11 91234-5678",
        "tax_id": "529.982.247-25",
    },
    "ES": {
        "name": "Lucía Fernández de Córdoba y Martínez",
        "company": "Distribuciones Electrónicas Ibéricas S.L.",
        "street_lines": [
            "Calle de Alcalá 123, Escalera Izquierda",
            "Planta 3ª, Puerta B, Edificio Metrópolis",
            "Polígono Industrial Las Mercedes, Nave 7",
            "Entregar en recepción, horario de 9 a 18 h",
        ],
        "city": "Madrid",
        "region": "Madrid",
        "postal_code": "28013",
        "country": "ES",
        "phone": "+34 912 345 678",
    },
    "SG": {
        "name": "Tan Wei Ming Alexander Nathaniel",
        "company": "Lion City Consumer Electronics Pte Ltd",
        "street_lines": [
            "10 Anson Road #20-05 International Plaza",
            "Tower Block B, Lift Lobby 3, Level 20",
            "Attention: Goods Receiving, Unit 20-05",
            "Leave with the building management office",
        ],
        "postal_code": "079903",
        "country": "SG",
        "phone": "+65 6123 4567",
    },
    "CL": {
        "name": "Pedro Ignacio Rojas Valenzuela Soto",
        "company": "Comercializadora Austral Limitada",
        "street_lines": [
            "Avenida Nueva Providencia 1234, Depto 56",
            "Torre Oriente, Piso 5, Oficina 502-B",
            "Condominio Parque Los Leones",
            "Entregar en conserjería, horario de oficina",
        ],
        "city": "Providencia",
        "region": "Región Metropolitana",
        "postal_code": "7500000",
        "country": "CL",
        "phone": "+56 9 6123 4567",
        "tax_id": "12.345.678-5",
    },
    "MX": {
        "name": "María Guadalupe López Hernández",
        "company": "Comercializadora del Valle S.A. de C.V.",
        "street_lines": [
            "Avenida Insurgentes Sur 1602, Piso 4",
            "Colonia Crédito Constructor",
            "Entre Barranca del Muerto y Minerva",
            "Entregar en recepción con identificación",
        ],
        "city": "Benito Juárez",
        "region": "CDMX",
        "postal_code": "03940",
        "country": "MX",
        "phone": "+52 55 1234 5678",
        "tax_id": "LOHM800101AB1",
    },
    "CO": {
        "name": "Carlos Andrés Gómez Restrepo Uribe",
        "company": "Distribuidora Andina de Tecnología S.A.S.",
        "street_lines": [
            "Carrera 7 # 71-21, Torre B, Piso 3",
            "Edificio Bancafé, Oficina 301",
            "Barrio Quinta Camacho, Localidad Chapinero",
            "Entregar en portería de lunes a viernes",
        ],
        "city": "Bogotá",
        "region": "Bogotá",
        "postal_code": "110231",
        "country": "CO",
        "phone": "+57 601 234 5678",
    },
}

# The address lines each label must print, in the destination's format (labels/addressing.py).
EXPECTED_LINES: dict[str, list[str]] = {
    "US": [*LONGEST["US"]["street_lines"], "AUSTIN, TX 78701", "UNITED STATES"],
    "BR": [*LONGEST["BR"]["street_lines"], "SÃO PAULO - SP", "01310-200", "BRAZIL"],
    "ES": [*LONGEST["ES"]["street_lines"], "28013 MADRID", "SPAIN"],
    "SG": [*LONGEST["SG"]["street_lines"], "SINGAPORE 079903"],
    "CL": [*LONGEST["CL"]["street_lines"], "7500000 PROVIDENCIA", "REGIÓN METROPOLITANA", "CHILE"],
    "MX": [*LONGEST["MX"]["street_lines"], "03940 BENITO JUÁREZ, CDMX", "MEXICO"],
    "CO": [*LONGEST["CO"]["street_lines"], "BOGOTÁ 110231", "COLOMBIA"],
}
EXPECTED_TAX_ID = {"BR": "CPF 529.982.247-25", "CL": "RUT 12.345.678-5", "MX": "RFC LOHM800101AB1"}


def words(text: str) -> str:
    """Whitespace collapsed, so a line the label wrapped reads as the line it was."""
    return " ".join(text.split())


def pdf_text(pdf: bytes) -> list[str]:
    """Each page's text as poppler's pdftotext extracts it."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return out.split("\f")[:-1]


_FIELD = re.compile(r"\^FD(.*?)\^FS", re.S)
_GRAPHIC = re.compile(r"(\^GFA,\d+,\d+,\d+,[0-9A-F]+)")


def zpl_text(block: str) -> str:
    """The text fields of one ZPL page, ^FH hex escapes decoded, in print order."""
    fields = []
    for raw in _FIELD.findall(block):
        fields.append(re.sub(r"_([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), raw))
    return "\n".join(field for field in fields if not field.startswith((">;", ">:")))


def zpl_graphics(block: str) -> list[str]:
    return _GRAPHIC.findall(block)


def zpl_prints_text_as_graphic(block: str, text: str) -> bool:
    """Whether ``text`` is on the page as the bitmap the CJK font draws for it (at any of the
    heights a label uses)."""
    graphics = set(zpl_graphics(block))
    return any(text_graphic(text, height)[0] in graphics for height in range(10, 41))


_MISSING = "\U000f0000"  # a private-use code point no font draws: its image is the font's tofu


def draws_glyph(font: Any, char: str) -> bool:
    """Whether ``font`` has a real glyph for ``char`` (not its missing-glyph box)."""
    mask = font.getmask(char)
    tofu = font.getmask(_MISSING)
    return mask.getbbox() is not None and (mask.size != tofu.size or bytes(mask) != bytes(tofu))
