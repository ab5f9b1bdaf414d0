//! Test support: real photographs from a registry package. `./scripts/test.sh` downloads
//! scikit-image from PyPI and extracts its public-domain sample images into
//! `target/fixtures/` (or `LINGSHI_FIXTURES`); a test that needs one and cannot find it fails.

use std::path::PathBuf;

/// Where the fixtures are.
pub fn fixtures_dir() -> PathBuf {
    std::env::var("LINGSHI_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/fixtures"))
}

/// The bytes of fixture `name` (e.g. `astronaut.png`).
pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("fixture {} is missing ({e}); ./scripts/test.sh fetches it from PyPI's scikit-image", path.display())
    })
}
