"""`survey-app serve`: which address the QR codes carry, and what is printed first.

Nothing here listens on the network: the address choice is a function of its own."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

from survey_app.admin.operations import create_collection
from survey_app.demo import write_login_file
from survey_app.extensions import db
from survey_app.serve import browse_url, lan_address, public_base_url, startup_message
from survey_app.urls import public_url


def test_lan_address_is_a_real_local_address():
    address = ipaddress.ip_address(lan_address())
    assert address.version == 4
    assert not address.is_unspecified
    # It belongs to this machine: a socket can bind to it.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((str(address), 0))


def test_lan_address_falls_back_to_the_host_name_when_no_route():
    # An address that cannot be connected to takes the fallback path.
    assert lan_address(("256.0.0.1", 9)) == socket.gethostbyname(socket.gethostname())


def test_public_base_url_choice():
    assert public_base_url("0.0.0.0", 8080, "https://surveys.example.org/") == \
        "https://surveys.example.org"
    assert public_base_url("127.0.0.1", 5000, "") is None
    assert public_base_url("0.0.0.0", 8080, None) == f"http://{lan_address()}:8080"
    assert browse_url("0.0.0.0", 5000, None) == "http://127.0.0.1:5000/"
    assert browse_url("::1", 5000, None) == "http://[::1]:5000/"


def test_startup_message_shows_the_url_and_demo_login(app, loaded_bank, partnership):
    app.config["PUBLIC_BASE_URL"] = public_base_url("0.0.0.0", 5001, None)
    message = startup_message(app, "0.0.0.0", 5001)
    assert f"Serving on http://{lan_address()}:5001/" in message
    assert "password" not in message  # no demo loaded yet
    write_login_file(Path(app.instance_path), "Demo logins:\n  coordinator: c@x.org  "
                     "password: abcd\n")
    message = startup_message(app, "0.0.0.0", 5001)
    assert "coordinator: c@x.org  password: abcd" in message
    # The QR codes now carry the network address.
    c = create_collection(partnership, survey_code="pupil_attitudes_5_7",
                          school_name="Oak Primary", group_name="Year 2", phase="before")
    db.session.commit()
    assert public_url(c).startswith(f"http://{lan_address()}:5001/s/")


def test_serve_command_is_registered(runner):
    result = runner.invoke(args=["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output
    assert "--port" in result.output
