//! What building Quill asks of a machine: the default build (`cargo run --release`)
//! links no system library, so it needs nothing beyond Rust and a C compiler.

use std::process::Command;

/// The crates `cargo tree` lists for quill-web's normal and build dependencies.
fn dependencies(features: &[&str]) -> String {
    let output = Command::new(option_env!("CARGO").unwrap_or("cargo"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "--locked",
            "-p",
            "quill-web",
            "-e",
            "normal,build",
            "--prefix",
            "none",
        ])
        .args(features)
        .output()
        .expect("run cargo tree");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn the_default_build_links_no_mariadb_client_library() {
    let default = dependencies(&[]);
    // Each -sys crate of the default build compiles its C from source (SQLite is
    // bundled) or has none.
    let sys: std::collections::BTreeSet<&str> = default
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| name.ends_with("-sys"))
        .collect();
    assert_eq!(
        sys.into_iter().collect::<Vec<_>>(),
        ["libsqlite3-sys"],
        "{default}"
    );
    let cluster = dependencies(&["--features", "mysql"]);
    assert!(cluster.contains("mysqlclient-sys"), "{cluster}");
}
