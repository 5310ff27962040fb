//! Blocking HTTP helpers for the emulator's tests.
#![allow(dead_code)]

use std::time::Duration;

use dropbox_emulator::Emulator;
use serde_json::Value;

pub struct Reply {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or_default()
    }
}

pub struct Client {
    pub agent: ureq::Agent,
    pub base: String,
    pub token: Option<String>,
}

fn reply(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Reply, ureq::Error> {
    let mut r = r?;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()?;
    Ok(Reply {
        status,
        headers,
        body,
    })
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

impl Client {
    /// A client of a fresh emulator holding a valid access token.
    pub fn start() -> (Emulator, Client) {
        Client::start_with(dropbox_emulator::Config::default())
    }

    /// A client of a fresh emulator started with `config`, holding a valid access token.
    pub fn start_with(config: dropbox_emulator::Config) -> (Emulator, Client) {
        let emu = Emulator::start_with("127.0.0.1:0", config).expect("start emulator");
        let token = emu.issue_tokens("test-app").access_token;
        let client = Client {
            agent: agent(),
            base: emu.base_url(),
            token: Some(token),
        };
        (emu, client)
    }

    /// Like [`Client::rpc`] with extra request headers (e.g. `Dropbox-API-Path-Root`).
    pub fn rpc_with(&self, route: &str, body: Value, headers: &[(&str, &str)]) -> Reply {
        let mut req = self
            .agent
            .post(self.url(&format!("/2/{route}")))
            .header("Content-Type", "application/json");
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        reply(req.send(body.to_string())).expect("rpc transport")
    }

    /// Like [`Client::content_call`] with extra request headers.
    pub fn content_call_with(
        &self,
        route: &str,
        arg: &Value,
        content: &[u8],
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self
            .agent
            .post(self.url(&format!("/2/files/{route}")))
            .header("Content-Type", "application/octet-stream")
            .header("Dropbox-API-Arg", ascii(arg));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        reply(req.send(content)).expect("content transport")
    }

    /// Like [`Client::download`] with extra request headers.
    pub fn download_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = self.agent.post(self.url("/2/files/download")).header(
            "Dropbox-API-Arg",
            ascii(&serde_json::json!({ "path": path })),
        );
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        reply(req.send_empty()).expect("download transport")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// POST `body` (raw) to `/2/{route}` with the client's token and `application/json`.
    pub fn try_rpc_raw(&self, route: &str, body: &str) -> Result<Reply, ureq::Error> {
        let mut req = self
            .agent
            .post(self.url(&format!("/2/{route}")))
            .header("Content-Type", "application/json");
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        reply(req.send(body))
    }

    pub fn rpc(&self, route: &str, body: Value) -> Reply {
        self.try_rpc_raw(route, &body.to_string())
            .expect("rpc transport")
    }

    /// JSON of a 200 answer; panics with the body otherwise.
    pub fn ok(&self, route: &str, body: Value) -> Value {
        let r = self.rpc(route, body);
        assert_eq!(r.status, 200, "{route}: {}", r.text());
        r.json()
    }

    pub fn upload_arg(&self, arg: &Value, content: &[u8]) -> Reply {
        let mut req = self
            .agent
            .post(self.url("/2/files/upload"))
            .header("Content-Type", "application/octet-stream")
            .header("Dropbox-API-Arg", ascii(arg));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        reply(req.send(content)).expect("upload transport")
    }

    /// POST to a content-upload route `/2/files/{route}`.
    pub fn content_call(&self, route: &str, arg: &Value, content: &[u8]) -> Reply {
        let mut req = self
            .agent
            .post(self.url(&format!("/2/files/{route}")))
            .header("Content-Type", "application/octet-stream")
            .header("Dropbox-API-Arg", ascii(arg));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        reply(req.send(content)).expect("content transport")
    }

    pub fn upload(&self, path: &str, content: &[u8]) -> Value {
        let r = self.upload_arg(
            &serde_json::json!({"path": path, "mode": "overwrite"}),
            content,
        );
        assert_eq!(r.status, 200, "upload {path}: {}", r.text());
        r.json()
    }

    pub fn download(&self, path: &str) -> Reply {
        let mut req = self.agent.post(self.url("/2/files/download")).header(
            "Dropbox-API-Arg",
            ascii(&serde_json::json!({ "path": path })),
        );
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        reply(req.send_empty()).expect("download transport")
    }

    /// POST a JSON body without any Authorization header (longpoll, control).
    pub fn post_noauth(&self, path: &str, body: &Value) -> Result<Reply, ureq::Error> {
        reply(
            self.agent
                .post(self.url(path))
                .header("Content-Type", "application/json")
                .send(body.to_string()),
        )
    }

    pub fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let body: String = form(pairs);
        reply(
            self.agent
                .post(self.url(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .send(body),
        )
        .expect("form transport")
    }

    pub fn get(&self, path_and_query: &str) -> Reply {
        reply(self.agent.get(self.url(path_and_query)).call()).expect("get transport")
    }

    pub fn entries(&self, v: &Value) -> Vec<(String, String)> {
        v["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| {
                (
                    e[".tag"].as_str().unwrap_or("").to_string(),
                    e["path_display"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// JSON for an HTTP header: non-ASCII escaped as \uXXXX.
pub fn ascii(v: &Value) -> String {
    let mut out = String::new();
    for c in v.to_string().chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// Query parameters of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| decode(v))
    })
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let h = u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(b'?');
                out.push(h);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
