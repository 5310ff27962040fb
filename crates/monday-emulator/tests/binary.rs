//! The `monday-emulator` binary serves on the address given with `--listen`, with the token
//! and seed given.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Starts the binary with `args`; returns it with the base URL it logged.
fn start(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_monday-emulator"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the binary");
    let stderr = child.stderr.take().expect("stderr");
    let mut base = None;
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        if let Some(rest) = line.split("base_url=").nth(1) {
            base = rest.split_whitespace().next().map(String::from);
            break;
        }
    }
    (child, base.expect("the binary logs its base_url"))
}

fn post(base: &str, token: &str, query: &str) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut r = agent
        .post(format!("{base}/v2"))
        .header("Content-Type", "application/json")
        .header("Authorization", token)
        .header("API-Version", "2025-07")
        .send(serde_json::json!({"query": query}).to_string())
        .expect("transport");
    let status = r.status().as_u16();
    let body = serde_json::from_slice(&r.body_mut().read_to_vec().expect("body")).expect("json");
    (status, body)
}

#[test]
fn binary_listens_with_its_token_and_seed() {
    let dir = std::env::temp_dir().join(format!("monday-emulator-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        r#"[{"id": 42, "name": "Seeded", "columns": [{"id": "text", "title": "Text", "type": "text"}],
            "items": [{"id": 43, "name": "Row", "column_values": [{"id": "text", "value": "\"hello\""}]}]}]"#,
    )
    .expect("write seed");
    let (mut child, base) = start(&["--token", "secret-1", "--seed", seed.to_str().unwrap()]);
    let refused = post(&base, "wrong", "{ me { id } }");
    let answered = post(
        &base,
        "secret-1",
        "{ boards { id name items_page { items { id column_values { text } } } } }",
    );
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(refused.0, 401);
    assert_eq!(answered.0, 200, "{}", answered.1);
    assert_eq!(
        answered.1["data"]["boards"],
        serde_json::json!([{"id": "42", "name": "Seeded", "items_page": {"items": [{"id": "43", "column_values": [{"text": "hello"}]}]}}])
    );
}

#[test]
fn binary_refuses_a_bad_seed() {
    let status = Command::new(env!("CARGO_BIN_EXE_monday-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--seed",
            "/nonexistent/seed.json",
        ])
        .env("NO_COLOR", "1")
        .stderr(Stdio::null())
        .status()
        .expect("run");
    assert!(!status.success());
}
