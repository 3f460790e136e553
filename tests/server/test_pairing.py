"""Phone pairing: `/_mock/pair` and the banner give the phone page's LAN URL as a QR code that decodes back to it.

The SVG is rendered by Chromium (Debian's package, as the browser tests use)
and read with ZXing (`zxing-cpp`, a wheel: no browser download, no system
library); the banner's terminal code is read back from its half-block
characters, two modules a line.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import zxingcpp  # the test extra decodes the QR codes
from PIL import Image

from mockllm.ops import banner as banner_module
from mockllm.ops.banner import banner
from mockllm.server import admin as admin_module
from mockllm.server.config import ServerConfig
from mockllm.server.pairing import phone_url, qr_terminal

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Chromium ({CHROMIUM}): apt-get install chromium")
LAN = ["192.168.1.23", "10.0.0.5"]
TOKEN = "pair-test-token"


def decoded(image: Any) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def rendered_by_chromium(svg: str, folder: Path) -> Any:
    """The SVG as Chromium draws it (a headless screenshot), as an image."""
    page = folder / "qr.svg"
    page.write_text(svg, encoding="utf-8")
    shot = folder / "qr.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=400,400", f"--screenshot={shot}"]
    subprocess.run([CHROMIUM, *flags, page.as_uri()], capture_output=True, timeout=120, check=True)
    return Image.open(shot)


def from_half_blocks(text: str) -> Any:
    """A terminal QR code back as an image: each character is two modules (light on top and/or bottom, or none)."""
    light = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), " ": (0, 0)}
    lines = text.splitlines()
    width = max(len(line) for line in lines)
    image = Image.new("L", (width, 2 * len(lines)), 255)
    for y, line in enumerate(lines):
        for x, char in enumerate(line.ljust(width, "█")):
            top, bottom = light[char]
            image.putpixel((x, 2 * y), 255 * top)
            image.putpixel((x, 2 * y + 1), 255 * bottom)
    return image.resize((width * 8, 2 * len(lines) * 8), Image.NEAREST)


@pytest.fixture
def lan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_module, "lan_addresses", lambda: LAN)
    monkeypatch.setattr(banner_module, "lan_addresses", lambda: LAN)


async def pair(server: Any, query: str = "") -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{server.port}/_mock/pair{query}", headers=headers) as response:
        assert response.status == 200
        return await response.json()  # type: ignore[no-any-return]


def test_the_phone_url_carries_the_view_the_token_and_the_session() -> None:
    assert phone_url("192.168.1.23", 8000) == "http://192.168.1.23:8000/_mock/ui/#view=phone"
    assert phone_url("192.168.1.23", 8000, "t/k", "my session") == "http://192.168.1.23:8000/_mock/ui/#view=phone&token=t%2Fk&session=my%20session"
    assert phone_url("fe80::1", 8000).startswith("http://[fe80::1]:8000/")


@needs_chromium
async def test_pair_on_the_lan_gives_the_phone_url_whose_svg_decodes_back_to_it(live_server: Any, lan: None, tmp_path: Path) -> None:
    server = live_server(host="0.0.0.0", admin_token=TOKEN)
    answer = await pair(server, "?session=demo-1")
    assert answer["url"] == f"http://192.168.1.23:{server.port}/_mock/ui/#view=phone&token={TOKEN}&session=demo-1"
    assert (answer["lan"], answer["addresses"], answer["note"]) == (True, LAN, "")
    assert answer["svg"].startswith("<svg")
    assert decoded(rendered_by_chromium(answer["svg"], tmp_path)) == [answer["url"]]


async def test_off_the_lan_pair_says_how_to_serve_it(live_server: Any) -> None:
    server = live_server(admin_token=TOKEN)
    answer = await pair(server)
    assert answer["url"] == f"http://127.0.0.1:{server.port}/_mock/ui/#view=phone&token={TOKEN}"
    assert answer["lan"] is False
    assert "--host 0.0.0.0" in answer["note"]


def test_the_banner_on_a_wildcard_host_prints_a_terminal_qr_code_of_the_phone_url(lan: None) -> None:
    text = banner(ServerConfig(host="0.0.0.0", admin_token=TOKEN), 8000, 3)
    url = f"http://192.168.1.23:8000/_mock/ui/#view=phone&token={TOKEN}"
    lines = text.splitlines()
    start = lines.index(f"  phone:    scan to open {url}")
    assert decoded(from_half_blocks("\n".join(lines[start + 1 :]))) == [url]
    assert decoded(from_half_blocks(qr_terminal("http://10.0.0.5:1/"))) == ["http://10.0.0.5:1/"]


def test_no_qr_code_when_serving_loopback_only(lan: None) -> None:
    assert "phone:" not in banner(ServerConfig(host="127.0.0.1"), 8000, 3)
