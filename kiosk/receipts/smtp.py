"""Send one e-mail through the configured SMTP server (STARTTLS, implicit TLS, or plain).

Errors are sorted into "try again later" (server down, timeouts, 4xx) and "never" (the
address refused, 5xx), so the background sender neither loops on a bad address nor drops
a receipt because the mail server was restarting.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from kiosk.config.deployment import EmailSettings


class SendFailed(Exception):
    """The e-mail was not sent; `permanent` says whether trying again can help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def compose(settings: EmailSettings, recipient: str, subject: str, body: str) -> EmailMessage:
    """A plain-text e-mail from the kiosk's sender address."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message.set_content(body)
    return message


def send(settings: EmailSettings, message: EmailMessage) -> None:
    """Hand one message to the SMTP server; raise SendFailed."""
    _session(settings, lambda server: server.send_message(message))


def check_connection(settings: EmailSettings) -> None:
    """Connect, secure and log in as for sending, but send nothing (for `kiosk doctor`); raise SendFailed."""
    _session(settings, lambda server: server.noop())


def _session(settings: EmailSettings, action: Callable[[smtplib.SMTP], object]) -> None:
    context = ssl.create_default_context(cafile=settings.ca_file)
    try:
        if settings.security == "tls":
            server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                                    context=context)
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with server:
            if settings.security == "starttls":
                server.ehlo()
                if not server.has_extn("starttls"):
                    raise SendFailed(f"{settings.host} does not offer STARTTLS; set [email] security", permanent=False)
                server.starttls(context=context)
                server.ehlo()
            if settings.username:
                server.login(settings.username, settings.password or "")
            action(server)
    except SendFailed:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise SendFailed(f"recipient refused: {codes}", permanent=all(c >= 500 for c in codes)) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise SendFailed(f"SMTP login refused ({exc.smtp_code}); check [email] username and password",
                         permanent=False) from None
    except smtplib.SMTPResponseException as exc:
        raise SendFailed(f"SMTP server said {exc.smtp_code} {exc.smtp_error!r}",
                         permanent=exc.smtp_code >= 500) from None
    except (smtplib.SMTPException, OSError) as exc:  # unreachable, TLS failure, timeout, dropped link
        raise SendFailed(f"cannot reach {settings.host}:{settings.port}: {exc}", permanent=False) from None
