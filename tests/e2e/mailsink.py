"""A real SMTP relay on loopback for the end-to-end tests (Debian's
python3-aiosmtpd), which stores every message it accepts and can be told to
fail the way a relay does:

  sink.fail_next(3)          the next 3 messages get "451 4.3.0" at DATA
  sink.set_failing(True)     every message gets 451 until set_failing(False)
  sink.refuse()              the port stops listening (connection refused)
  sink.accept()              listening again, on the same port

Helpers wait for mail by polling the store with a deadline (a condition
variable woken on every arrival), decode a message (email package,
policy=default) and pull the links notifications carry out of a body
(services/enrollment/notify.h, docs/notifications.md).
"""

import email
import email.policy
import re
import threading
import time
import urllib.parse

from aiosmtpd.controller import Controller

TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, try again later"


class _LoopbackController(Controller):
    """aiosmtpd's Controller on port 0: learns the port the kernel gave before
    its own start-up probe connects to it."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Received:
    """One accepted message: envelope, raw bytes and the parsed message."""

    def __init__(self, mail_from, rcpt_tos, raw):
        self.mail_from = mail_from
        self.rcpt_tos = [r.lower() for r in rcpt_tos]
        self.raw = raw
        self.message = email.message_from_bytes(raw, policy=email.policy.default)

    @property
    def message_id(self):
        return str(self.message.get("Message-ID", ""))

    @property
    def subject(self):
        return str(self.message.get("Subject", ""))

    @property
    def body(self):
        """The plain-text body, decoded (base64, UTF-8)."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def attachments(self):
        """[(filename, content type, bytes)]."""
        out = []
        for part in self.message.iter_attachments():
            out.append((part.get_filename(), part.get_content_type(),
                        part.get_payload(decode=True)))
        return out

    def links(self, path):
        """The fragment parameters of every link to `path` in the body, e.g.
        links("/applications/confirm") -> [{"name": ..., "member": ..., "token": ...}].
        Percent-encoding is undone."""
        found = []
        for url in re.findall(r"https?://[^\s<>\"']+", self.body):
            parsed = urllib.parse.urlsplit(url)
            if parsed.path.endswith(path):
                params = urllib.parse.parse_qs(parsed.fragment, keep_blank_values=True)
                found.append({k: v[0] for k, v in params.items()})
        return found

    def __repr__(self):
        return "<mail to %s %s %r>" % (self.rcpt_tos, self.message_id, self.subject)


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        return self.sink._on_data(envelope)


class MailSink:
    def __init__(self, host="127.0.0.1", port=0):
        self.host = host
        self.port = port  # 0: any free port (then the one it got)
        self._cond = threading.Condition()
        self._messages = []
        self._fail_next = 0
        self._failing = False
        self.refused_attempts = 0  # DATA commands answered with a failure
        self._controller = None
        self.accept()

    # ------------------------------------------------------------- control

    def accept(self):
        """Starts listening (again, on the same port once it had one)."""
        if self._controller is not None:
            return
        self._controller = _LoopbackController(_Handler(self), hostname=self.host,
                                               port=self.port, ready_timeout=10)
        self._controller.start()
        self.port = self._controller.port

    def refuse(self):
        """Stops listening: a connection attempt is refused."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def fail_next(self, n):
        with self._cond:
            self._fail_next = n

    def set_failing(self, failing):
        with self._cond:
            self._failing = failing

    def reset(self):
        with self._cond:
            self._fail_next = 0
            self._failing = False
        self.accept()

    def stop(self):
        self.refuse()

    def _on_data(self, envelope):
        with self._cond:
            if self._failing or self._fail_next > 0:
                if self._fail_next > 0:
                    self._fail_next -= 1
                self.refused_attempts += 1
                self._cond.notify_all()
                return TEMPORARY_FAILURE
            raw = envelope.original_content or envelope.content
            if isinstance(raw, str):
                raw = raw.encode("utf-8")
            self._messages.append(Received(envelope.mail_from, envelope.rcpt_tos, raw))
            self._cond.notify_all()
        return "250 2.0.0 OK"

    # ------------------------------------------------------------- reading

    def messages(self, to=None):
        """Every accepted message so far (optionally only to `to`), oldest first."""
        with self._cond:
            out = list(self._messages)
        if to is not None:
            out = [m for m in out if to.lower() in m.rcpt_tos]
        return out

    def wait_for(self, predicate=lambda m: True, count=1, timeout=30.0, what="mail"):
        """Waits until at least `count` accepted messages match; returns them
        all (oldest first). AssertionError after `timeout` seconds, listing
        what did arrive."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                matching = [m for m in self._messages if predicate(m)]
                if len(matching) >= count:
                    return matching
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("%s: %d of %d message(s) after %ss; received: %s" % (
                        what, len(matching), count, timeout, self._messages[-10:]))
                self._cond.wait(left)

    def wait_for_attempts(self, n, timeout=30.0):
        """Waits until `n` messages have been answered with a failure."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.refused_attempts < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("%d refused attempts after %ss, wanted %d" % (
                        self.refused_attempts, timeout, n))
                self._cond.wait(left)

    def confirmation_token(self, to, application, member, timeout=30.0):
        """The token of member `member`'s confirmation link for `application`
        in the mail to `to` (waits for it)."""
        def has_link(m):
            return to.lower() in m.rcpt_tos and any(
                link.get("name") == application and link.get("member") == str(member)
                for link in m.links("/applications/confirm"))
        [mail, *_] = self.wait_for(has_link, timeout=timeout,
                                   what="confirmation of %s member %d" % (application, member))
        [link] = [x for x in mail.links("/applications/confirm")
                  if x.get("name") == application and x.get("member") == str(member)]
        return link["token"]
