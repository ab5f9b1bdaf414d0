#!/usr/bin/env python3
"""The API contract, fuzzed: Schemathesis against a real `lingshi serve` (demo mode, SQLite, a
fresh data directory), with an applicant session and a staff session, every check on, a fixed
seed and a bounded number of examples per operation.

Usage: contract.py LINGSHI_BINARY OPENAPI_JSON SCHEMATHESIS [SEED] [EXAMPLES]

The applicant signs up through the API (the code is read from the development mail the demo
writes to the data directory); the staff member is the demo mission administrator, whose
password the server prints once. Operations that would end the very sessions the run uses (signing
out, deleting the account) are left out of the run: they are tested by the HTTP tests.
"""

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
APPLICANT_PASSWORD = "a long contract password"
# Ending the sessions the run holds would turn every later case into a 401.
SESSION_ENDING = [
    "DELETE /api/v1/sessions/current",
    "POST /api/v1/me/delete",
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
            text = open(os.path.join(mail_dir, name), encoding="utf-8", errors="replace").read()
            if APPLICANT in text:
                match = re.search(r"(?<!\d)\d{6}(?!\d)", text.split("\n\n", 1)[-1])
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
    return json.loads(body)["token"]


def staff_token(port, password):
    origin = f"http://127.0.0.1:{port}"
    status, headers, _ = request(port, "POST", "/staff/login", {"username": "demo.admin", "password": password},
                                 headers={"origin": origin}, form=True)
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("ls_staff="):
            return value.split(";", 1)[0].split("=", 1)[1]
    sys.exit(f"the demo staff member could not sign in: {status}")


def config(port, applicant, staff):
    # Cookie-authenticated changes must come from the site's own origin (CSRF defence).
    return f"""
headers = {{ Origin = "http://127.0.0.1:{port}" }}

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
            out.write(config(port, applicant, staff))
        command = [schemathesis, "--config-file", config_file, "run", openapi, "--url", f"http://127.0.0.1:{port}",
                   "--checks", "all", "--seed", seed, "--max-examples", examples, "--workers", "1",
                   "--generation-database", "none", "--no-color", "--report", "junit",
                   "--report-dir", os.path.join("target", "schemathesis")]
        paths = json.load(open(openapi))["paths"]
        for operation in SESSION_ENDING:
            method, path = operation.split(" ")
            command += ["--exclude-operation-id", paths[path][method.lower()]["operationId"]]
        print("+ " + " ".join(command[:3] + ["run", openapi, "..."]), flush=True)
        result = subprocess.run(command, cwd=os.getcwd())
        if server.poll() is not None:
            sys.exit(f"lingshi serve died during the run:\n{open(log).read()}")
        return result.returncode
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
