//! Finds the SeetaFace frontal-face model that the `rustface` package ships, so that the
//! detector can embed it with `include_bytes!` (nothing is downloaded at build or run time).
//!
//! The package's source directory is asked of `cargo metadata` (offline); when that cannot
//! answer (it needs every package of the workspace, dev-dependencies included, already
//! downloaded, which a first build does not guarantee), the registry sources under
//! `CARGO_HOME`, which hold every package this build compiles, are searched instead.

use std::path::{Path, PathBuf};
use std::process::Command;

const MODEL: &str = "model/seeta_fd_frontal_v1.0.bin";
const PACKAGE: &str = "rustface-";

fn main() {
    let model = from_metadata().or_else(from_registry).unwrap_or_else(|| {
        panic!("the rustface package's {MODEL} was found neither by cargo metadata nor in CARGO_HOME")
    });
    println!("cargo:rustc-env=LINGSHI_SEETA_MODEL={}", model.display());
    println!("cargo:rerun-if-changed=build.rs");
}

fn model_in(package_dir: &Path) -> Option<PathBuf> {
    Some(package_dir.join(MODEL)).filter(|model| model.is_file())
}

fn from_metadata() -> Option<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    let target = std::env::var("TARGET").ok()?;
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--filter-platform", &target])
        .current_dir(&manifest_dir)
        .output()
        .ok()?;
    let metadata = String::from_utf8_lossy(&output.stdout);
    let manifest = metadata
        .split("\"manifest_path\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|path| path.contains(PACKAGE) && path.ends_with("Cargo.toml"))?;
    model_in(Path::new(manifest).parent()?)
}

fn from_registry() -> Option<PathBuf> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))?;
    let mut packages: Vec<PathBuf> = std::fs::read_dir(cargo_home.join("registry").join("src"))
        .ok()?
        .flatten()
        .filter_map(|registry| std::fs::read_dir(registry.path()).ok())
        .flat_map(|entries| entries.flatten().map(|entry| entry.path()))
        .filter(|path| path.file_name().is_some_and(|name| name.to_string_lossy().starts_with(PACKAGE)))
        .collect();
    packages.sort();
    packages.iter().rev().find_map(|package| model_in(package))
}
