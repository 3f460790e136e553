"""Phone pairing: the LAN address of the phone page, with the admin token and a session in it, as a QR code."""

from __future__ import annotations

import io
from urllib.parse import quote, urlencode

#: The playground, opened on its phone preview.
PHONE_PAGE = "/_mock/ui/"
#: Bind addresses that serve every interface, so phones on the LAN can connect.
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def serves_lan(host: str) -> bool:
    """Whether a server bound to `host` is reachable from the LAN on every interface."""
    return host in WILDCARD_HOSTS


def lan_addresses() -> list[str]:
    """IPv4 addresses of this machine's interfaces, loopback and link-local left out."""
    import ifaddr

    found = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if ip.is_IPv4 and not str(ip.ip).startswith(("127.", "169.254.")):
                found.append(str(ip.ip))
    return sorted(set(found))


def phone_url(host: str, port: int, token: str | None = None, session: str | None = None) -> str:
    """The phone page at `host:port`: `#view=phone`, then the admin token and the session when there are any."""
    fragment = {"view": "phone", **({"token": token} if token else {}), **({"session": session} if session else {})}
    bracketed = f"[{host}]" if ":" in host else host
    return f"http://{bracketed}:{port}{PHONE_PAGE}#{urlencode(fragment, quote_via=quote)}"


def qr_svg(text: str) -> str:
    """`text` as a QR code in an SVG document (dark modules on white, a quiet zone of 4)."""
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=6, border=4, xmldecl=False, dark="#000", light="#fff")
    return out.getvalue().decode("ascii")


def qr_terminal(text: str) -> str:
    """`text` as a QR code of half-block characters, two modules a line, for a terminal (light on dark reads too)."""
    import segno

    out = io.StringIO()
    segno.make(text, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue().rstrip("\n")
