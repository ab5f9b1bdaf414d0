//! The binary's allocator is built to commit its arenas as it uses them (`.cargo/config.toml`):
//! what keeps the idle server's memory down. mimalloc prints its options when asked to be
//! verbose, which is how this checks the build.

use std::process::Command;

#[test]
fn the_allocator_commits_arenas_lazily() {
    let out = Command::new(env!("CARGO_BIN_EXE_lingshi"))
        .arg("--help")
        .env("MIMALLOC_VERBOSE", "1")
        .env_remove("MIMALLOC_ARENA_EAGER_COMMIT")
        .output()
        .expect("run lingshi");
    assert!(out.status.success(), "lingshi --help failed");
    let options = String::from_utf8_lossy(&out.stderr);
    assert!(
        options.lines().any(|line| line.trim() == "option 'arena_eager_commit': 0"),
        "mimalloc's arena_eager_commit is not 0; its options:\n{options}"
    );
}
