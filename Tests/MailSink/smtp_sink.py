#!/usr/bin/env python3
"""The tests' SMTP relay: aiosmtpd storing every mail it accepts in a Maildir.

Like `python3 -m aiosmtpd`, plus what its command line lacks: a relay that requires a login
(AUTH PLAIN/LOGIN, offered only after STARTTLS), as SendGrid's and Mailtrap's do.

    smtp_sink.py --port N --maildir DIR [--host ADDRESS] [--tls starttls|smtps --cert C --key K] [--login USER:PASSWORD]
"""
import argparse
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (the scale test's hosts reach it on their bridge)")
    parser.add_argument("--tls", choices=["none", "starttls", "smtps"], default="none")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--login", help="USER:PASSWORD that the relay requires")
    options = parser.parse_args()

    context = None
    if options.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(options.cert, options.key)

    settings = {}
    if options.login:
        user, _, password = options.login.partition(":")

        def authenticate(server, session, envelope, mechanism, data):
            accepted = isinstance(data, LoginPassword) and data.login == user.encode() and data.password == password.encode()
            return AuthResult(success=accepted, handled=False)

        settings.update(authenticator=authenticate, auth_required=True, auth_require_tls=True)
    if options.tls == "starttls":
        settings.update(tls_context=context, require_starttls=True)

    controller = Controller(Mailbox(options.maildir), hostname=options.host, port=options.port,
                            ssl_context=context if options.tls == "smtps" else None, **settings)
    controller.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()
