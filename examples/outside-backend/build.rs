//! Names the orion version this build linked, from the Cargo.lock in use
//! (this crate's, or the workspace's when built inside cryptobench's repo).
fn main() {
    let mut dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let lock = loop {
        if dir.join("Cargo.lock").exists() {
            break Some(dir.join("Cargo.lock"));
        }
        if !dir.pop() {
            break None;
        }
    };
    let text = lock
        .inspect(|l| println!("cargo:rerun-if-changed={}", l.display()))
        .and_then(|l| std::fs::read_to_string(l).ok())
        .unwrap_or_default();
    let version = text
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"orion\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
        .map_or("unknown", |v| v.trim_matches('"'));
    println!("cargo:rustc-env=OUTSIDE_ORION_VERSION={version}");
}
