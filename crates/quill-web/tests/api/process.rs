//! The `quill` binary as an operator runs it: configuration errors, SIGTERM.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use quill_test_support::ports::free_port;
use quill_test_support::wait;

fn quill() -> Command {
    Command::new(env!("CARGO_BIN_EXE_quill"))
}

/// Runs `quill`, which must exit with `code`; what it said on stderr.
fn stderr_of(quill: &mut Command, code: i32) -> String {
    let output = quill.output().expect("run quill");
    assert_eq!(output.status.code(), Some(code), "{output:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_bad_setting_stops_the_process_with_a_message_naming_it() {
    let dir = tempfile::tempdir().expect("dir");
    let stderr = stderr_of(
        quill()
            .env("QUILL_DATA_DIR", dir.path())
            .env("QUILL_DB_POOL_SIZE", "many"),
        2,
    );
    assert!(
        stderr.contains("QUILL_DB_POOL_SIZE=\"many\" is not valid"),
        "{stderr}"
    );
}

/// clap's usage error: what was wrong, the usage line, and where the help is.
#[test]
fn an_unknown_command_prints_usage() {
    let stderr = stderr_of(quill().arg("frobnicate"), 2);
    assert!(
        stderr.contains("unrecognized subcommand 'frobnicate'")
            && stderr.contains("Usage: quill [COMMAND]")
            && stderr.contains("--help"),
        "{stderr}"
    );
    let help = quill().arg("--help").output().expect("run quill");
    assert!(help.status.success(), "{help:?}");
    let stdout = String::from_utf8_lossy(&help.stdout);
    for command in ["serve", "migrate", "cql", "db"] {
        assert!(stdout.contains(command), "{stdout}");
    }
}

#[test]
fn migrate_prepares_an_embedded_data_directory() {
    let dir = tempfile::tempdir().expect("dir");
    let output = quill()
        .env("QUILL_DATA_DIR", dir.path().join("data"))
        .arg("migrate")
        .output()
        .expect("run quill");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "the accounts schema is up to date"
    );
    assert!(dir.path().join("data/accounts.sqlite3").is_file());
}

#[cfg(feature = "mysql")]
#[test]
fn db_commands_say_which_setting_they_need() {
    let stderr = stderr_of(
        quill().env_remove("QUILL_DB_NODES").args(["db", "promote"]),
        1,
    );
    assert!(stderr.contains("set QUILL_DB_NODES"), "{stderr}");
}

/// A build without the `mysql` feature refuses cluster accounts before it opens
/// anything, and says how to build a quill that has them.
#[cfg(not(feature = "mysql"))]
#[test]
fn a_build_without_mysql_refuses_cluster_accounts_saying_how_to_get_them() {
    let dir = tempfile::tempdir().expect("dir");
    let stderr = stderr_of(
        quill().env("QUILL_DATA_DIR", dir.path().join("data")).env(
            "QUILL_DATABASE_URL",
            "mysql://quill:hunter22@127.0.0.1:3306/quill",
        ),
        2,
    );
    assert!(
        stderr.contains("QUILL_DATABASE_URL is set")
            && stderr.contains("cargo build --release --features mysql")
            && !stderr.contains("hunter22"),
        "{stderr}"
    );
    assert!(!dir.path().join("data").exists(), "nothing was created");

    let stderr = stderr_of(quill().args(["db", "status"]), 2);
    assert!(stderr.contains("--features mysql"), "{stderr}");
}

#[test]
fn cql_migrate_says_which_setting_it_needs() {
    let stderr = stderr_of(
        quill()
            .env_remove("QUILL_CASSANDRA_NODES")
            .args(["cql", "migrate"]),
        1,
    );
    assert!(
        stderr.contains("QUILL_CASSANDRA_NODES is not set"),
        "{stderr}"
    );
}

/// A keyspace name CQL would not take unquoted stops start-up, naming the setting,
/// before any node is asked.
#[test]
fn a_keyspace_name_cql_cannot_take_stops_start_up() {
    for bad in ["2026_posts", "_quill", "keyspace", "Select"] {
        let stderr = stderr_of(
            quill()
                .env("QUILL_CASSANDRA_NODES", "127.0.0.1:9")
                .env("QUILL_CASSANDRA_KEYSPACE", bad)
                .args(["cql", "migrate"]),
            2,
        );
        assert!(
            stderr.contains(&format!("QUILL_CASSANDRA_KEYSPACE=\"{bad}\" is not valid"))
                && stderr.contains("starts with a letter, and is not a CQL reserved word"),
            "{stderr}"
        );
    }
}

/// With Cassandra configured but unreachable, the server does not start half-way: it
/// stops, naming the setting, within the connect timeout.
#[test]
fn an_unreachable_cassandra_stops_the_server_with_a_message() {
    let dir = tempfile::tempdir().expect("dir");
    let stderr = stderr_of(
        quill()
            .arg("serve")
            .env("QUILL_DATA_DIR", dir.path())
            .env("QUILL_BIND", "127.0.0.1:0")
            .env(
                "QUILL_CASSANDRA_NODES",
                format!("127.0.0.1:{}", free_port()),
            )
            .env("QUILL_CASSANDRA_CONNECT_TIMEOUT_MS", "500"),
        1,
    );
    assert!(
        stderr.contains("connecting to QUILL_CASSANDRA_NODES")
            && stderr.contains("cannot connect to 127.0.0.1:"),
        "{stderr}"
    );
    assert!(!dir.path().join(quill_posts::embedded::FILE_NAME).exists());
}

/// A connection to the `quill` starting on `port`, once it listens.
fn connect(port: u16) -> TcpStream {
    let mut stream = None;
    wait::until(&format!("quill to listen on {port}"), || {
        stream = TcpStream::connect(("127.0.0.1", port)).ok();
        Ok::<_, std::convert::Infallible>(stream.is_some())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    stream.expect("connected")
}

/// Quill prints the address to open on a line of its own, in either log format; a
/// wildcard bind is opened through the loopback address.
#[test]
fn the_server_prints_the_url_to_open() {
    for (bind, format) in [("127.0.0.1", "text"), ("0.0.0.0", "json")] {
        let dir = tempfile::tempdir().expect("dir");
        let port = free_port();
        let mut child = quill()
            .env("QUILL_DATA_DIR", dir.path())
            .env("QUILL_BIND", format!("{bind}:{port}"))
            .env("QUILL_LOG_FORMAT", format)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start quill");
        // Once a request is answered the server runs, so the line has been printed.
        let mut stream = connect(port);
        write!(
            stream,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("answer");
        child.kill().expect("stop quill");
        let output = child.wait_with_output().expect("quill exits");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let url = format!("http://127.0.0.1:{port}/");
        assert!(
            stdout.lines().any(|line| line == url),
            "{bind} {format}: {stdout}"
        );
    }
}

/// A request that is half sent when SIGTERM arrives still gets its answer, then the
/// process exits cleanly and stops accepting connections.
#[test]
fn sigterm_lets_in_flight_requests_finish() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let mut child = quill()
        .arg("serve")
        .env("QUILL_DATA_DIR", dir.path())
        .env("QUILL_BIND", format!("127.0.0.1:{port}"))
        .env("QUILL_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start quill");
    let mut stream = connect(port);
    let body = "username=alice&password=not-the-password&csrf_token=x";
    write!(
        stream,
        "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .expect("send the first half");
    stream.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(300));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    stream
        .write_all(&body.as_bytes()[10..])
        .expect("send the rest");

    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the answer");
    assert!(
        response.starts_with("HTTP/1.1 403"),
        "the in-flight request was answered: {response}"
    );

    let status = child.wait().expect("quill exits");
    assert!(status.success(), "clean exit: {status}");
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "no longer listening"
    );
}

/// An operator logs one user out everywhere, then everyone, while Quill runs: the
/// running instance notices once it has held a session `QUILL_SESSION_CACHE_SECS`.
#[tokio::test]
async fn an_operator_ends_a_users_sessions_then_everyones() {
    let app = quill_test_support::spawn_app(&[("QUILL_SESSION_CACHE_SECS", "1")]).await;
    let past_the_cache = || tokio::time::sleep(Duration::from_millis(1100));
    app.sign_up("alice").await;
    let alice = app.cookies();
    let app = app.in_new_browser();
    app.sign_up("bob").await;
    let bob = app.cookies();
    let end = |args: &[&str]| {
        let output = quill()
            .env("QUILL_DATA_DIR", app.data_dir())
            .args(["sessions", "end"])
            .args(args)
            .output()
            .expect("run quill");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, _, stderr) = end(&["--user", "nobody"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("no user is called \"nobody\""), "{stderr}");

    let (code, stdout, _) = end(&["--user", "Alice"]);
    assert_eq!(code, Some(0));
    assert_eq!(stdout.trim(), "ended 1 sessions of alice");
    past_the_cache().await;
    assert_eq!(
        app.replay("/posts", &alice).await.status(),
        303,
        "alice is out"
    );
    assert_eq!(app.replay("/posts", &bob).await.status(), 200, "bob is not");

    let (code, stdout, _) = end(&["--all"]);
    assert_eq!(code, Some(0));
    assert_eq!(stdout.trim(), "ended 1 sessions");
    past_the_cache().await;
    assert_eq!(app.replay("/posts", &bob).await.status(), 303, "bob is out");
}
