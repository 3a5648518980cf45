"""`survey-app serve`: run the app on this machine for a classroom (`make run`).

With `--host 0.0.0.0` pupils' phones reach the laptop over the school network, so the
QR codes must carry the laptop's network address, not 127.0.0.1 (which on a phone means
the phone itself).
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from survey_app.demo import LOGIN_FILE

#: Addresses that mean "every interface": the machine must name itself to phones.
ALL_INTERFACES = ("0.0.0.0", "::", "")
#: A documentation address (RFC 5737, TEST-NET-1). Connecting a UDP socket to it only
#: asks the kernel which local address would route there: no packet is sent.
PROBE_ADDRESS = ("192.0.2.1", 9)


def lan_address(probe: tuple[str, int] = PROBE_ADDRESS) -> str:
    """This machine's address on the local network, as phones in the room would use it."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(probe)
            address = s.getsockname()[0]
        if not ipaddress.ip_address(address).is_unspecified:
            return address
    except (OSError, ValueError):
        pass  # no route (offline laptop): ask the resolver instead
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def public_base_url(host: str, port: int, configured: str | None,
                    probe: tuple[str, int] = PROBE_ADDRESS) -> str | None:
    """The base URL QR codes should carry: PUBLIC_BASE_URL when configured; the network
    address when serving every interface; else None (links follow the request's host)."""
    if configured:
        return configured.rstrip("/")
    if host in ALL_INTERFACES:
        return f"http://{lan_address(probe)}:{port}"
    return None


def browse_url(host: str, port: int, base: str | None) -> str:
    """What to type in a browser to reach the app."""
    if base:
        return base + "/"
    shown = "127.0.0.1" if host in ALL_INTERFACES else host
    if ":" in shown:  # an IPv6 literal
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def startup_message(app: Flask, host: str, port: int) -> str:
    """The lines printed before serving: where to go and how to sign in."""
    from survey_app.urls import JOIN_PATH, unreachable_from_phones

    url = browse_url(host, port, app.config["PUBLIC_BASE_URL"] or None)
    lines = [f"Serving on {url}"]
    if unreachable_from_phones(url):
        lines.append("Only this computer can open that address: pupils' phones and tablets "
                     "cannot. To let them join, run `make run HOST=0.0.0.0` on the school "
                     "network, or set PUBLIC_BASE_URL to an address they can reach.")
    else:
        lines.append(f"Phones and tablets: scan a QR code, or open {url.rstrip('/')}"
                     f"{JOIN_PATH} and type the collection's code. The QR codes carry "
                     "this address.")
    login_file = Path(app.instance_path) / LOGIN_FILE
    if login_file.exists():
        lines.append(login_file.read_text(encoding="utf-8").rstrip())
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="0.0.0.0 to let phones on the local network connect.")
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Serve the app (threaded; no reloader or debugger: safe on a classroom network)."""
    from werkzeug.serving import run_simple

    app_ = current_app._get_current_object()
    base = public_base_url(host, port, app_.config["PUBLIC_BASE_URL"])
    if base:
        app_.config["PUBLIC_BASE_URL"] = base
    click.echo(startup_message(app_, host, port))
    run_simple(host, port, app_, threaded=True, use_reloader=False, use_debugger=False)
