#!/usr/bin/env python3
"""The API contract, fuzzed: Schemathesis against a real `lingshi serve` (demo mode, SQLite, a
fresh data directory), with an applicant session and a staff session, every check on, a fixed
seed and a bounded number of examples per operation.

Usage: contract.py LINGSHI_BINARY OPENAPI_JSON SCHEMATHESIS [SEED] [EXAMPLES]

The applicant signs up through the API (the code is read from the development mail the demo
writes to the data directory); the staff member is the demo mission administrator, whose
password the server prints once. Operations that would end the very sessions the run uses (signing
out, deleting the account) and the two WebSocket handshakes are left out (see LEFT_OUT); the
HTTP tests cover them.

A schema-valid request may still break a rule no JSON Schema can state (a pinyin spelling that
is not a standard syllable, a date in the future, a wrong password): the answer is 422 with the
field named, so 422 counts as an acceptable answer to schema-valid data.
"""

import email
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

APPLICANT = "contract.run@example.org"
IDENTITY_PATHS = "^/api/v1/me/identity"
APPLICANT_PASSWORD = "a long contract password"
# Left out of the run: ending the sessions the run holds would turn every later case into a
# 401, and a WebSocket's upgrade handshake is beyond what OpenAPI describes (the signalling
# tests speak to those two).
LEFT_OUT = [
    "DELETE /api/v1/sessions/current",
    "POST /api/v1/me/delete",
    "GET /api/v1/orders/{id}/interview/signal",
    "GET /api/v1/staff/orders/{id}/interview/signal",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, headers=None, form=False):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = dict(headers or {})
    payload = None
    if body is not None:
        if form:
            payload = urllib.parse.urlencode(body)
            headers["content-type"] = "application/x-www-form-urlencoded"
        else:
            payload = json.dumps(body)
            headers["content-type"] = "application/json"
    connection.request(method, path, payload, headers)
    response = connection.getresponse()
    return response.status, response.getheaders(), response.read()


def wait_until_up(port, server, log):
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit(f"lingshi serve exited:\n{open(log).read()}")
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("lingshi serve did not come up in 60 s")


def demo_password(log):
    match = re.search(r"password: (\S+)", open(log).read())
    if not match:
        sys.exit("the demo staff password was not printed")
    return match.group(1)


def mailed_code(mail_dir, deadline=20):
    end = time.time() + deadline
    while time.time() < end:
        for name in sorted(os.listdir(mail_dir)) if os.path.isdir(mail_dir) else []:
            with open(os.path.join(mail_dir, name), "rb") as f:
                message = email.message_from_binary_file(f)
            if APPLICANT in message["To"]:
                body = message.get_payload(decode=True).decode("utf-8")
                match = re.search(r"(?<!\d)\d{6}(?!\d)", body)
                if match:
                    return match.group(0)
        time.sleep(0.2)
    sys.exit("no sign-up code was mailed")


def applicant_token(port, data_dir):
    status, _, body = request(port, "POST", "/api/v1/registrations",
                              {"address": APPLICANT, "password": APPLICANT_PASSWORD})
    if status != 202:
        sys.exit(f"sign-up refused: {status} {body!r}")
    code = mailed_code(os.path.join(data_dir, "mail"))
    status, _, body = request(port, "POST", "/api/v1/registrations/confirm", {"address": APPLICANT, "code": code})
    if status != 201:
        sys.exit(f"confirmation refused: {status} {body!r}")
    token = json.loads(body)["token"]
    # Real-name verification (the face step skipped, as the guide allows), so the run reaches
    # what only a verified applicant may do.
    bearer = {"authorization": f"Bearer {token}"}
    identity = {"name": "张三", "document_kind": "passport", "document_number": "E12345678"}
    status, _, body = request(port, "PUT", "/api/v1/me/identity", identity, headers=bearer)
    if status != 200:
        sys.exit(f"real-name verification refused: {status} {body!r}")
    status, _, body = request(port, "POST", "/api/v1/me/identity/face/skip", headers=bearer)
    if status != 200:
        sys.exit(f"skipping the face step refused: {status} {body!r}")
    return token


def draft_order(port, token):
    """A draft application of the applicant's, so the operations on one order reach their
    logic instead of answering 404 to every made-up id."""
    body = {"service": "passport", "statement_accepted": True, "mission_id": "be-embassy", "residence_country": "BE",
            "route": {"held": "ordinary_passport", "lost": False}, "application_type": "renewal.passport.renewal"}
    status, _, answer = request(port, "POST", "/api/v1/orders", body, headers={"authorization": f"Bearer {token}"})
    if status != 201:
        sys.exit(f"starting an application refused: {status} {answer!r}")
    return json.loads(answer)["id"]


def staff_token(port, password):
    origin = f"http://127.0.0.1:{port}"
    status, headers, _ = request(port, "POST", "/staff/login", {"username": "demo.admin", "password": password},
                                 headers={"origin": origin}, form=True)
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("ls_staff="):
            return value.split(";", 1)[0].split("=", 1)[1]
    sys.exit(f"the demo staff member could not sign in: {status}")


def config(port, applicant, staff, order):
    # Cookie-authenticated changes must come from the site's own origin (CSRF defence).
    return f"""
headers = {{ Origin = "http://127.0.0.1:{port}" }}

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-path-regex = "^/api/v1/orders/[{{]id[}}]"
parameters = {{ id = "{order}" }}

[auth.openapi.applicant_bearer]
bearer = "{applicant}"

[auth.openapi.applicant_cookie]
api_key = "{applicant}"

[auth.openapi.staff_cookie]
api_key = "{staff}"
"""


def main():
    binary, openapi, schemathesis = sys.argv[1:4]
    seed = sys.argv[4] if len(sys.argv) > 4 else "20261130"
    examples = sys.argv[5] if len(sys.argv) > 5 else "25"
    work = tempfile.mkdtemp(prefix="lingshi-contract-")
    data_dir, log = os.path.join(work, "data"), os.path.join(work, "serve.log")
    port = free_port()
    env = dict(os.environ, LINGSHI_DATA_DIR=data_dir, LINGSHI_ADDR=f"127.0.0.1:{port}", DATABASE_URL="",
               LINGSHI_LOG="error", LINGSHI_DEMO="true")
    env.pop("LINGSHI_PUBLIC_URL", None)
    with open(log, "w") as out:
        server = subprocess.Popen([binary, "serve"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(port, server, log)
        applicant = applicant_token(port, data_dir)
        staff = staff_token(port, demo_password(log))
        config_file = os.path.join(work, "schemathesis.toml")
        with open(config_file, "w") as out:
            out.write(config(port, applicant, staff, draft_order(port, applicant)))
        command = [schemathesis, "--config-file", config_file, "run", openapi, "--url", f"http://127.0.0.1:{port}",
                   "--checks", "all", "--seed", seed, "--max-examples", examples, "--workers", "1",
                   "--generation-database", "none", "--no-color", "--report", "junit",
                   "--report-dir", os.path.join("target", "schemathesis")]
        paths = json.load(open(openapi))["paths"]
        for operation in LEFT_OUT:
            method, path = operation.split(" ")
            command += ["--exclude-operation-id", paths[path][method.lower()]["operationId"]]
        failed = False
        # Real-name verification last: a fuzzed identity that is accepted sends the applicant
        # back to the face step, and the operations only a verified applicant may call would
        # then answer nothing but 403.
        for name, selection in [("everything but real-name verification", "--exclude-path-regex"),
                                ("real-name verification", "--include-path-regex")]:
            print(f"\n==> schemathesis: {name} (seed {seed}, {examples} examples per operation)", flush=True)
            phases = [] if selection == "--exclude-path-regex" else ["--phases", "examples,coverage,fuzzing"]
            result = subprocess.run(command + [selection, IDENTITY_PATHS] + phases)
            failed = failed or result.returncode != 0
            if server.poll() is not None:
                sys.exit(f"lingshi serve died during the run:\n{open(log).read()}")
        return 1 if failed else 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
