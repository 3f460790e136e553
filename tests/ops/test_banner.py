"""The start-up banner: base URL, LAN URLs on a wildcard host, the curl line."""

from __future__ import annotations

import ipaddress
import shlex
from pathlib import Path

import pytest

from mockllm.ops import banner as banner_module
from mockllm.ops.banner import banner, curl_line, lan_addresses, try_scenario
from mockllm.server.config import ServerConfig

CURL_BODY = '{"model":"hello","stream":true,"messages":[{"role":"user","content":"你好"}]}'


@pytest.fixture
def fake_lan(monkeypatch):
    monkeypatch.setattr(banner_module, "lan_addresses", lambda: ["192.168.1.23", "10.0.0.5"])


def test_local_host_banner(fake_lan):
    config = ServerConfig(host="127.0.0.1", scenarios=Path("/srv/scenarios"), speed=0, seed=7, default="hello")
    assert banner(config, 8123, 6).splitlines() == [
        "mockllm serving 6 scenarios from /srv/scenarios",
        "  base URL: http://127.0.0.1:8123/v1",
        "  page:     http://127.0.0.1:8123/_mock/ui/ (playground: scenarios, wire inspector, live demo control)",
        "  speed no waiting, seed 7, default scenario 'hello'",
        f"  try:      curl -N http://127.0.0.1:8123/v1/chat/completions -H 'Content-Type: application/json' -d '{CURL_BODY}'",
    ]


def test_one_scenario_is_one_scenario(fake_lan):
    assert banner(ServerConfig(scenarios=Path("/srv/one")), 8000, 1).splitlines()[0] == "mockllm serving 1 scenario from /srv/one"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", ""], ids=["ipv4-any", "ipv6-any", "empty"])
def test_wildcard_host_prints_every_lan_url(fake_lan, host):
    lines = banner(ServerConfig(host=host), 8000, 3).splitlines()
    assert lines[1:4] == [
        "  base URL: http://127.0.0.1:8000/v1",
        "  LAN:      http://192.168.1.23:8000/v1",
        "  LAN:      http://10.0.0.5:8000/v1",
    ]
    assert any(line.startswith("  try:      curl -N http://127.0.0.1:8000/v1/chat/completions ") for line in lines)
    assert "  phone:    scan to open http://192.168.1.23:8000/_mock/ui/#view=phone" in lines  # and its QR code (tests/test_pairing.py)


def test_specific_host_prints_no_lan_urls(fake_lan):
    text = banner(ServerConfig(host="192.168.1.23"), 8000, 3)
    assert "LAN:" not in text
    assert "  base URL: http://192.168.1.23:8000/v1" in text.splitlines()


def test_ipv6_host_is_bracketed(fake_lan):
    assert "  base URL: http://[::1]:8000/v1" in banner(ServerConfig(host="::1"), 8000, 1).splitlines()


@pytest.mark.parametrize(
    "speed, seed, shown",
    [(1.0, None, "speed x1, seed random per request"), (2.5, 0, "speed x2.5, seed 0"), (0.0, 3, "speed no waiting, seed 3")],
    ids=["defaults", "slow-seed-zero", "instant"],
)
def test_speed_and_seed_line(fake_lan, speed, seed, shown):
    assert f"  {shown}, default scenario 'default'" in banner(ServerConfig(speed=speed, seed=seed), 1, 1).splitlines()


def test_curl_line_is_a_valid_shell_command():
    argv = shlex.split(curl_line("http://127.0.0.1:9"))
    assert argv == [
        "curl",
        "-N",
        "http://127.0.0.1:9/v1/chat/completions",
        "-H",
        "Content-Type: application/json",
        "-d",
        CURL_BODY,
    ]


def test_real_lan_addresses_are_ipv4_and_not_loopback():
    found = lan_addresses()
    assert found == sorted(set(found))
    for address in found:
        ip = ipaddress.IPv4Address(address)
        assert not ip.is_loopback and not ip.is_link_local


def test_the_curl_line_names_a_scenario_the_folder_has():
    assert try_scenario(["default", "hello"], "default") == "hello"
    assert try_scenario(["mine", "other"], "mine") == "mine"
    line = banner(ServerConfig(default="mine"), 8000, 2, try_scenario(["mine", "other"], "mine")).splitlines()[-1]
    assert '"model":"mine"' in line and "hello" not in line
