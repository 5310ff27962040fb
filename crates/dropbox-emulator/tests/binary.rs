//! The `dropbox-emulator` binary serves on the address given with `--listen`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Starts the binary with `args` and returns it with the base URL it logged, and an agent.
fn start(args: &[&str]) -> (Child, String, ureq::Agent) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dropbox-emulator"))
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
    let base = base.expect("the binary logs its base_url");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    (child, base, agent)
}

#[test]
fn binary_listens_and_serves() {
    let (mut child, base, agent) = start(&[]);
    let r = agent
        .post(format!("{base}/2/files/list_folder"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer nope")
        .send(r#"{"path": ""}"#);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(r.expect("transport").status().as_u16(), 401);
}

#[test]
fn binary_team_home_makes_a_team_space_member() {
    let (mut child, base, agent) = start(&["--team-home", "Ann Lee"]);
    let r = agent.get(format!("{base}/__control/account")).call();
    let _ = child.kill();
    let _ = child.wait();
    let mut r = r.expect("transport");
    assert_eq!(r.status().as_u16(), 200);
    let v: serde_json::Value =
        serde_json::from_slice(&r.body_mut().read_to_vec().expect("body")).expect("json");
    assert_eq!(v["home_path"], "/Ann Lee");
    assert_ne!(v["root_namespace_id"], v["home_namespace_id"]);
}
