//! Finds the SeetaFace frontal-face model that the `rustface` package ships, so that the
//! detector can embed it with `include_bytes!` (nothing is downloaded at build or run time).

use std::path::PathBuf;
use std::process::Command;

const MODEL: &str = "model/seeta_fd_frontal_v1.0.bin";

fn main() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let target = std::env::var("TARGET").unwrap_or_default();
    // Offline and filtered to the target: only packages this build already has are needed.
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--filter-platform", &target])
        .current_dir(&manifest_dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo metadata to find the rustface model: {e}"));
    let metadata = String::from_utf8_lossy(&output.stdout);
    let manifest = metadata
        .split("\"manifest_path\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|path| path.contains("rustface-") && path.ends_with("Cargo.toml"))
        .unwrap_or_else(|| panic!("the rustface package was not found in cargo metadata"));
    let model = PathBuf::from(manifest).parent().map(|dir| dir.join(MODEL)).unwrap_or_default();
    assert!(model.is_file(), "the rustface package has no model at {}", model.display());
    println!("cargo:rustc-env=LINGSHI_SEETA_MODEL={}", model.display());
    println!("cargo:rerun-if-changed=build.rs");
}
