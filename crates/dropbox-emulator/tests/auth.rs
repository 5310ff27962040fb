//! Authentication, OAuth (PKCE, refresh), revocation and the account route.

mod common;

use base64::Engine as _;
use common::{query_param, Client};
use serde_json::json;
use sha2::{Digest, Sha256};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-some-more-chars";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn authorize(c: &Client, redirect: &str) -> String {
    let url = format!(
        "/oauth2/authorize?client_id=app123&response_type=code&redirect_uri={}&state=xyz%20state&code_challenge={}&code_challenge_method=S256&token_access_type=offline",
        common::enc(redirect),
        challenge(VERIFIER)
    );
    let r = c.get(&url);
    assert_eq!(r.status, 302, "{}", r.text());
    let location = r.header("location").expect("Location");
    assert!(location.starts_with(redirect), "{location}");
    assert_eq!(
        query_param(&location, "state").as_deref(),
        Some("xyz state")
    );
    query_param(&location, "code").expect("code")
}

#[test]
fn rpc_auth_errors() {
    let (emu, mut c) = Client::start();
    let good = c.token.clone();
    c.token = None;
    let r = c.rpc("users/get_current_account", serde_json::Value::Null);
    assert_eq!(r.status, 400, "missing Authorization is a 400");
    assert!(r.content_type().starts_with("text/plain"));

    c.token = Some("not-a-token".into());
    let r = c.rpc("files/list_folder", json!({"path": ""}));
    assert_eq!(r.status, 401);
    assert_eq!(r.content_type(), "application/json");
    assert_eq!(
        r.json(),
        json!({"error_summary": "invalid_access_token/...", "error": {".tag": "invalid_access_token"}})
    );

    c.token = good;
    c.ok("files/list_folder", json!({"path": ""}));
    emu.expire_access_tokens();
    let r = c.rpc("files/list_folder", json!({"path": ""}));
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], json!({".tag": "expired_access_token"}));
    let r = c.download("/x");
    assert_eq!(r.status, 401, "content routes check tokens too");
}

#[test]
fn get_current_account_shape() {
    let (emu, c) = Client::start();
    let r = c
        .try_rpc_raw("users/get_current_account", "null")
        .expect("transport");
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["account_id"], emu.account_id());
    let account_id = v["account_id"].as_str().unwrap_or("");
    assert!(
        account_id.starts_with("dbid:") && account_id.len() == 40,
        "{account_id}"
    );
    assert_eq!(v["root_info"][".tag"], "user");
    assert_eq!(
        v["root_info"]["root_namespace_id"],
        v["root_info"]["home_namespace_id"]
    );
    assert!(v["root_info"]["root_namespace_id"].is_string());
    for k in [
        "given_name",
        "surname",
        "familiar_name",
        "display_name",
        "abbreviated_name",
    ] {
        assert!(v["name"][k].is_string(), "{k}");
    }
    assert_eq!(v["account_type"], json!({".tag": "basic"}));
    // an empty body works too
    let r = c
        .try_rpc_raw("users/get_current_account", "")
        .expect("transport");
    assert_eq!(r.status, 200);
}

#[test]
fn oauth_pkce_code_exchange_and_refresh() {
    let (emu, c) = Client::start();
    let code = authorize(&c, "http://127.0.0.1:53682/callback");
    let r = c.post_form(
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "app123"),
            ("redirect_uri", "http://127.0.0.1:53682/callback"),
            ("code_verifier", VERIFIER),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.content_type(), "application/json");
    let t = r.json();
    let mut keys: Vec<&str> = t
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "access_token",
            "account_id",
            "expires_in",
            "refresh_token",
            "scope",
            "token_type",
            "uid"
        ]
    );
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 14400);
    assert_eq!(t["account_id"], emu.account_id());

    let mut api = Client {
        agent: common::agent(),
        base: c.base.clone(),
        token: t["access_token"].as_str().map(String::from),
    };
    api.ok("files/list_folder", json!({"path": ""}));

    // the code is single use
    let r = c.post_form(
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "app123"),
            ("redirect_uri", "http://127.0.0.1:53682/callback"),
            ("code_verifier", VERIFIER),
        ],
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_grant");

    // refresh: only access_token, token_type, expires_in
    emu.expire_access_tokens();
    let refresh = t["refresh_token"].as_str().expect("refresh").to_string();
    let r = c.post_form(
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", "app123"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let t2 = r.json();
    let mut keys: Vec<&str> = t2
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["access_token", "expires_in", "token_type"]);
    api.token = t2["access_token"].as_str().map(String::from);
    api.ok("files/list_folder", json!({"path": ""}));

    // revoked refresh token
    assert!(emu.revoke_refresh_token(&refresh));
    let r = c.post_form(
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", "app123"),
        ],
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"error": "invalid_grant", "error_description": "refresh token is invalid or revoked"})
    );
    let r = api.rpc("files/list_folder", json!({"path": ""}));
    assert_eq!(
        r.status, 401,
        "access tokens of a revoked refresh token die too"
    );

    let r = c.post_form("/oauth2/token", &[("grant_type", "password")]);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "unsupported_grant_type");
}

#[test]
fn oauth_rejects_wrong_verifier_and_bad_redirects() {
    let (_emu, c) = Client::start();
    let code = authorize(&c, "http://localhost:8080/cb?x=1");
    let r = c.post_form(
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "app123"),
            ("redirect_uri", "http://localhost:8080/cb?x=1"),
            (
                "code_verifier",
                "wrong-verifier-wrong-verifier-wrong-verifier-0000",
            ),
        ],
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_grant");

    let code = authorize(&c, "http://127.0.0.1:1/cb");
    let r = c.post_form(
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "app123"),
            ("redirect_uri", "http://127.0.0.1:2/cb"),
            ("code_verifier", VERIFIER),
        ],
    );
    assert_eq!(
        r.json()["error"],
        "invalid_grant",
        "redirect_uri must match"
    );

    let r = c.get("/oauth2/authorize?client_id=app123&response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2Fcb");
    assert_eq!(r.status, 400);
    let r = c.get("/oauth2/authorize?client_id=app123&response_type=token");
    assert_eq!(r.status, 400);

    // no redirect_uri: the code is shown on a page
    let r = c.get(&format!(
        "/oauth2/authorize?client_id=app123&response_type=code&code_challenge={}&code_challenge_method=S256&token_access_type=offline",
        challenge(VERIFIER)
    ));
    assert_eq!(r.status, 200);
    let page = r.text();
    let code = page
        .split("<code id=\"code\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("code on page")
        .to_string();
    let r = c.post_form(
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "app123"),
            ("code_verifier", VERIFIER),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn token_revoke_kills_the_token() {
    let (_emu, c) = Client::start();
    let r = c
        .try_rpc_raw("auth/token/revoke", "null")
        .expect("transport");
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "null");
    let r = c.rpc("files/list_folder", json!({"path": ""}));
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"][".tag"], "invalid_access_token");
}
