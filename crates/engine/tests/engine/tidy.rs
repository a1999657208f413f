//! Tidy checks on the whole workspace's sources: every Rust file says what it is for in a `//!`
//! header on its first line.

use std::path::{Path, PathBuf};

/// The workspace root, two levels above this crate.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/engine sits two levels below the workspace root")
        .to_owned()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_source_file_begins_with_a_module_header() {
    let root = workspace();
    let mut dirs = vec![root.join("src-tauri/src")];
    for krate in std::fs::read_dir(root.join("crates")).expect("a crates folder") {
        dirs.push(krate.expect("a crate folder").path().join("src"));
    }
    let mut files = Vec::new();
    for dir in &dirs {
        rust_files(dir, &mut files);
    }
    assert!(
        files.len() > 20,
        "found only {} files under {dirs:?}",
        files.len()
    );
    let mut missing: Vec<String> = files
        .iter()
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            !text.starts_with("//!")
        })
        .map(|file| {
            file.strip_prefix(&root)
                .unwrap_or(file)
                .display()
                .to_string()
        })
        .collect();
    missing.sort();
    assert!(
        missing.is_empty(),
        "these files must begin with a `//!` line saying what they are for:\n{}",
        missing.join("\n")
    );
}
