"""Starts the real Kaizen binaries as separate processes on free ports.

Used by the end-to-end suite; can also point at a running system, e.g. the
containerised stack (deploy/test.sh with KAIZEN_DEPLOY_E2E=1):
  KAIZEN_GATEWAY_URL      the gateway's HTTP base URL (turns external mode on)
  KAIZEN_GATEWAY_GRPC     its gRPC host:port (optional: gRPC tests skip without it)
  KAIZEN_JWT_SECRET_FILE  the gateway's HS256 secret, to mint tokens
  KAIZEN_JWT_ISSUER       the issuer it requires (default kaizen-e2e)
  KAIZEN_E2E_API_KEYS     "key_id key municipality" lines: partner keys the
                          gateway already knows (their hashes in its key file)
  KAIZEN_E2E_SMTP_LISTEN  host:port where the suite's SMTP sink listens; the
                          running enrollment must relay its mail there
                          (anonymous applications are confirmed by the mailed
                          link, so tests that apply anonymously need it)
The suite's cohort ids are fixed, so run it once against a fresh stack.
Every process gets port 0 and reports its port through a file, so suites
never collide with each other or with a developer's running system.

Mail: a real SMTP server on loopback (mailsink.py, Debian's aiosmtpd) is the
relay enrollment delivers to (enrollment_mail_flags); `confirm_application`
confirms an anonymous application through the links it mails, as an
applicant would.
"""

import base64
import hashlib
import hmac
import json
import os
import signal
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import mailsink

# Gateway flag names (services/gateway/README.md).
GATEWAY_FLAGS = {
    "http_listen": "--http_listen",
    "grpc_listen": "--grpc_listen",
    "http_port_file": "--http_port_file",
    "grpc_port_file": "--grpc_port_file",
    "backends": "--backends",
    "jwt_secret_file": "--jwt_hs256_secret_file",
    "jwt_issuer": "--jwt_issuer",
    "jwt_audience": "--jwt_audience",
    "api_keys_file": "--api_keys_file",
}

ISSUER = "kaizen-e2e"
AUDIENCE = "kaizen"

# Enrollment's mail settings (services/enrollment/main.cc, docs/notifications.md):
# the sink on loopback, plain SMTP (no STARTTLS, no AUTH), links to a frontend
# that does not exist (tests read the fragments only).
PUBLIC_BASE_URL = "https://kaizen-e2e.example"
MAIL_FROM = "noreply@kaizen-e2e.example"
MAIL_FROM_NAME = "次世代改善リーダー事例研究会 事務局"


def enrollment_mail_flags(host, port):
    return ["--smtp_host=" + host, "--smtp_port=%d" % port, "--mail_from=" + MAIL_FROM,
            "--mail_from_name=" + MAIL_FROM_NAME, "--public_base_url=" + PUBLIC_BASE_URL]


def runfile(path):
    """The path of a Bazel runfile (the binaries under test)."""
    base = os.environ.get("TEST_SRCDIR")
    if base:
        candidate = os.path.join(base, os.environ.get("TEST_WORKSPACE", "kaizen"), path)
        if os.path.exists(candidate):
            return candidate
    return path


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Process:
    def __init__(self, name, argv, env, workdir):
        self.name = name
        self.log_path = os.path.join(workdir, name + ".log")
        self.log = open(self.log_path, "ab")  # a restarted process appends
        self.proc = subprocess.Popen(argv, env=env, stdout=self.log, stderr=self.log)

    def wait_for_file(self, path, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited early (%s); see %s" % (self.name, self.proc.returncode, self.log_path))
            try:
                with open(path) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            except FileNotFoundError:
                pass
            time.sleep(0.02)  # waiting on another process, not synchronising threads
        raise RuntimeError("%s did not start within %ss" % (self.name, timeout))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def kill(self):
        """SIGKILL: no shutdown, no flush, as a crash or the OOM killer."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=20)
        self.log.close()
        return self.proc.returncode


class Stack:
    """enrollment + scheduling + plans + survey + gateway, each its own process and database."""

    def __init__(self, gateway_args=()):
        self.workdir = tempfile.mkdtemp(prefix="kaizen-e2e-", dir=os.environ.get("TEST_TMPDIR"))
        self.gateway_args = list(gateway_args)
        self.log_paths = set()  # every process's log, including stopped ones
        self.secret = b64url(os.urandom(32))
        self.jwt_secret = b64url(os.urandom(32))
        self.issuer = ISSUER
        self.api_keys = {}  # municipality code -> key
        self.processes = []
        self.base_url = None  # set by start_gateway, or external mode
        self.grpc_target = None
        self.external = os.environ.get("KAIZEN_GATEWAY_URL")
        if self.external:
            self.base_url = self.external.rstrip("/")
            self.grpc_target = os.environ.get("KAIZEN_GATEWAY_GRPC")
            with open(os.environ["KAIZEN_JWT_SECRET_FILE"]) as f:
                self.jwt_secret = f.read().strip()
            self.issuer = os.environ.get("KAIZEN_JWT_ISSUER", ISSUER)
        self.mail = None
        listen = os.environ.get("KAIZEN_E2E_SMTP_LISTEN")
        if self.external and listen:
            host, port = listen.rsplit(":", 1)
            self.mail = mailsink.MailSink(host, int(port))
        elif not self.external:
            self.mail = mailsink.MailSink()

    def add_api_key(self, key_id, municipality):
        if self.external:  # the running gateway already knows its keys
            with open(os.environ["KAIZEN_E2E_API_KEYS"]) as f:
                for line in f:
                    kid, key, town = line.split()
                    if kid == key_id and town == municipality:
                        self.api_keys[municipality] = key
                        return key
            raise KeyError("KAIZEN_E2E_API_KEYS has no key %s for %s" % (key_id, municipality))
        key = b64url(os.urandom(24))
        self.api_keys[municipality] = key
        with open(os.path.join(self.workdir, "api-keys"), "a") as f:
            f.write("%s %s %s\n" % (key_id, hashlib.sha256(key.encode()).hexdigest(), municipality))
        return key

    def _write(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
        return path

    def _start(self, name, binary, args):
        env = dict(os.environ)
        env["KAIZEN_INTERNAL_SECRET"] = self.secret
        port_file = os.path.join(self.workdir, name + ".port")
        p = Process(name, [runfile(binary)] + args + ["--port_file=" + port_file], env, self.workdir)
        self.processes.append(p)
        self.log_paths.add(p.log_path)
        return p, port_file

    def start_enrollment(self, purge_targets=False):
        """Starts enrollment on port 0, or again on the port it had, with the
        other services' addresses for purges (known only once they run)."""
        port = self.enrollment_port if purge_targets else 0
        args = ["--listen=127.0.0.1:%d" % port,
                "--db=" + os.path.join(self.workdir, "enrollment.db")]
        args += enrollment_mail_flags(self.mail.host, self.mail.port)
        if purge_targets:
            args += ["--scheduling_address=127.0.0.1:%d" % self.scheduling_port,
                     "--survey_address=127.0.0.1:%d" % self.survey_port,
                     "--plans_address=127.0.0.1:%d" % self.plans_port]
        stale = os.path.join(self.workdir, "enrollment.port")
        if os.path.exists(stale):
            os.remove(stale)  # the first run's; wait for the new one's
        p, port_file = self._start("enrollment", "services/enrollment/enrollment_server", args)
        self.enrollment_port = p.wait_for_file(port_file)
        self.enrollment = p

    def start_scheduling(self):
        p, port_file = self._start("scheduling", "services/scheduling/scheduling_server", [
            "--listen=127.0.0.1:0", "--db=" + os.path.join(self.workdir, "scheduling.db"),
            "--enrollment=127.0.0.1:%d" % self.enrollment_port])
        self.scheduling_port = p.wait_for_file(port_file)
        self.scheduling = p

    def start_plans(self):
        p, port_file = self._start("plans", "services/plans/plans_server", [
            "--listen=127.0.0.1:0", "--db=" + os.path.join(self.workdir, "plans.db"),
            "--enrollment=127.0.0.1:%d" % self.enrollment_port,
            "--scheduling=127.0.0.1:%d" % self.scheduling_port])
        self.plans_port = p.wait_for_file(port_file)
        self.plans = p

    def start_survey(self):
        p, port_file = self._start("survey", "services/survey/survey_server", [
            "--listen=127.0.0.1:0", "--db=" + os.path.join(self.workdir, "survey.db"),
            "--enrollment=127.0.0.1:%d" % self.enrollment_port,
            "--scheduling=127.0.0.1:%d" % self.scheduling_port])
        self.survey_port = p.wait_for_file(port_file)
        self.survey = p

    def start_gateway(self):
        f = GATEWAY_FLAGS
        secret_file = self._write("jwt-secret", self.jwt_secret)
        http_port_file = os.path.join(self.workdir, "gateway-http.port")
        grpc_port_file = os.path.join(self.workdir, "gateway-grpc.port")
        env = dict(os.environ)
        env["KAIZEN_INTERNAL_SECRET"] = self.secret
        args = [
            runfile("services/gateway/gateway_server"),
            f["http_listen"] + "=127.0.0.1:0",
            f["grpc_listen"] + "=127.0.0.1:0",
            f["http_port_file"] + "=" + http_port_file,
            f["grpc_port_file"] + "=" + grpc_port_file,
            f["backends"] + "=kaizen.enrollment.v1.EnrollmentService=127.0.0.1:%d,"
            "kaizen.scheduling.v1.SchedulingService=127.0.0.1:%d,"
            "kaizen.plans.v1.PlansService=127.0.0.1:%d,"
            "kaizen.survey.v1.SurveyService=127.0.0.1:%d" % (
                self.enrollment_port, self.scheduling_port, self.plans_port, self.survey_port),
            f["jwt_secret_file"] + "=" + secret_file,
            f["jwt_issuer"] + "=" + ISSUER,
            f["jwt_audience"] + "=" + AUDIENCE,
            f["api_keys_file"] + "=" + os.path.join(self.workdir, "api-keys"),
        ]
        args += self.gateway_args
        p = Process("gateway", args, env, self.workdir)
        self.processes.append(p)
        self.log_paths.add(p.log_path)
        self.http_port = p.wait_for_file(http_port_file)
        self.grpc_port = p.wait_for_file(grpc_port_file)
        self.base_url = "http://127.0.0.1:%d" % self.http_port
        self.grpc_target = "127.0.0.1:%d" % self.grpc_port
        self.gateway = p

    def start_all(self):
        if self.external:
            return
        if not os.path.exists(os.path.join(self.workdir, "api-keys")):
            open(os.path.join(self.workdir, "api-keys"), "w").close()
        self.start_enrollment()
        self.start_scheduling()
        self.start_plans()
        self.start_survey()
        # enrollment again, on the same port, now that it can reach the others
        # (purges and erasures); the others reconnect on their own.
        code = self.enrollment.stop()
        assert code == 0, "enrollment did not stop cleanly: %s" % code
        self.processes.remove(self.enrollment)
        self.start_enrollment(purge_targets=True)
        self.start_gateway()

    def kill_enrollment(self):
        """kill -9 enrollment (a crash); returns its exit status (-9)."""
        self.processes.remove(self.enrollment)
        return self.enrollment.kill()

    def restart_enrollment(self):
        """Starts enrollment again on its port, with its database."""
        self.start_enrollment(purge_targets=True)

    def stop_all(self):
        codes = {}
        for p in reversed(self.processes):
            codes[p.name] = p.stop()
        self.processes = []
        if self.mail is not None:
            self.mail.stop()
        return codes

    # ----------------------------------------------------------------- mail

    def outbox_counts(self, service="enrollment"):
        """{"pending": n, "sent": n, "dead": n} of a service's outbox, read
        from its database (the table is common/notify/outbox.h's contract)."""
        db = sqlite3.connect(os.path.join(self.workdir, service + ".db"), timeout=10)
        try:
            rows = dict(db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        finally:
            db.close()
        return {"pending": rows.get(0, 0), "sent": rows.get(1, 0), "dead": rows.get(2, 0)}

    def wait_outbox_drained(self, services=("scheduling", "enrollment"), timeout=60.0):
        """Waits until no outbox row of `services` is PENDING (in that order:
        scheduling hands its messages to enrollment's outbox). Then every
        message enqueued so far was accepted by the relay (or is DEAD), and
        no further attempt of them will happen."""
        deadline = time.monotonic() + timeout
        for service in services:
            while True:
                counts = self.outbox_counts(service)
                if counts["pending"] == 0:
                    break
                if time.monotonic() > deadline:
                    raise AssertionError("%s outbox not drained after %ss: %s" % (
                        service, timeout, counts))
                time.sleep(0.05)  # polling another process's database with a deadline

    def wait_outbox_attempted(self, subject_ref, timeout=30.0):
        """Waits until a PENDING outbox row about `subject_ref` (or a name
        under it) has had a failed delivery attempt."""
        deadline = time.monotonic() + timeout
        while True:
            db = sqlite3.connect(os.path.join(self.workdir, "enrollment.db"), timeout=10)
            try:
                rows = db.execute(
                    "SELECT state, attempts FROM outbox WHERE subject_ref = ? OR subject_ref LIKE ?",
                    (subject_ref, subject_ref + "/%")).fetchall()
            finally:
                db.close()
            if any(state == 0 and attempts >= 1 for state, attempts in rows):
                return
            if time.monotonic() > deadline:
                raise AssertionError("no failed attempt of %s after %ss: %s" % (
                    subject_ref, timeout, rows))
            time.sleep(0.05)  # polling another process's database with a deadline

    def http_when_up(self, method, path, body=None, token=None, headers=None, timeout=30.0):
        """http(), repeated while the gateway answers 502/503/504 (a service
        restarting: its channel reconnects with backoff)."""
        deadline = time.monotonic() + timeout
        while True:
            status, hdrs, payload = self.http(method, path, body, token, headers)
            if status not in (502, 503, 504) or time.monotonic() > deadline:
                return status, hdrs, payload
            time.sleep(0.1)  # waiting for another process to come back

    def confirm_application(self, app, emails=None):
        """Confirms an anonymous application the way its applicants do: each
        member opens the confirmation link mailed to them (mailsink.py).
        Returns the application as the last confirmation answers it, with
        the accessToken of `app` (shown only at creation)."""
        if self.mail is None:
            raise RuntimeError("no SMTP sink: set KAIZEN_E2E_SMTP_LISTEN (kaizen_stack.py)")
        if app.get("state") != "SUBMITTED":
            raise AssertionError("an anonymous application waits SUBMITTED, got %s" % app)
        emails = emails or [m["email"] for m in app["members"]]
        confirmed = None
        for i, address in enumerate(emails):
            token = self.mail.confirmation_token(address, app["name"], i)
            status, _, confirmed = self.http("POST", "/v1/%s:confirmEmail" % app["name"],
                                             {"token": token})
            if status != 200:
                raise AssertionError("confirming %s member %d: %s %s" % (
                    app["name"], i, status, confirmed))
        if any(not m.get("emailConfirmed") for m in confirmed.get("members", [])):
            raise AssertionError("confirmed, yet a member is not: %s" % confirmed)
        out = dict(confirmed)
        out["accessToken"] = app["accessToken"]
        return out

    # ---------------------------------------------------------------- clients

    def token(self, sub, roles, ttl=600):
        """An HS256 JWT the gateway accepts (minted independently of its code)."""
        header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        now = int(time.time())
        claims = b64url(json.dumps({"sub": sub, "roles": roles, "iss": self.issuer, "aud": AUDIENCE,
                                    "iat": now, "exp": now + ttl}).encode())
        signing_input = (header + "." + claims).encode()
        sig = hmac.new(self.jwt_secret.encode(), signing_input, hashlib.sha256).digest()
        return header + "." + claims + "." + b64url(sig)

    def http(self, method, path, body=None, token=None, headers=None):
        """(status, headers, parsed JSON or raw bytes)."""
        url = self.base_url + path
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json; charset=utf-8")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw, status, hdrs = resp.read(), resp.status, dict(resp.headers)
        except urllib.error.HTTPError as e:
            raw, status, hdrs = e.read(), e.code, dict(e.headers)
        ctype = hdrs.get("Content-Type", "")
        if ctype.startswith("application/json"):
            return status, hdrs, json.loads(raw.decode("utf-8")) if raw else {}
        return status, hdrs, raw


def load_messages(proto_path):
    """Message classes for `proto_path` (e.g. "kaizen/enrollment/v1/enrollment.proto"),
    built from the runfiles' .proto files with the system protoc, so the suite
    needs no generated Python code."""
    from google.protobuf import descriptor_pb2, message_factory

    base = os.environ.get("TEST_SRCDIR", ".")
    workspace = os.path.join(base, os.environ.get("TEST_WORKSPACE", "kaizen"))
    roots = [os.path.join(workspace, "proto"), os.path.join(base, "googleapis"),
             # google/api/field_behavior.proto (not in Debian's googleapis)
             os.path.join(workspace, "third_party", "googleapis_vendored"), "/usr/include"]
    out = os.path.join(tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR")), "set.pb")
    subprocess.run(["protoc"] + ["-I" + r for r in roots if os.path.isdir(r)] +
                   ["--include_imports", "--descriptor_set_out=" + out, proto_path], check=True)
    files = descriptor_pb2.FileDescriptorSet()
    with open(out, "rb") as f:
        files.ParseFromString(f.read())
    return message_factory.GetMessages(list(files.file))
