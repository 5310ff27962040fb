//! The emulator over HTTP: authentication, validation, the generated answer, scripted
//! replies, the request log, the control routes, stopping on drop.

use std::time::{Duration, Instant};

use openai_emulator::{Config, Emulator, Reply};
use serde_json::{json, Value};

struct Answer {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Value,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

fn post(url: &str, key: Option<&str>, body: &Value) -> Result<Answer, ureq::Error> {
    let mut req = agent().post(url);
    if let Some(k) = key {
        req = req.header("Authorization", &format!("Bearer {k}"));
    }
    let mut r = req.send_json(body)?;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.body_mut().read_to_string()?;
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok(Answer {
        status,
        headers,
        body,
    })
}

fn chat(emu: &Emulator, body: &Value) -> Answer {
    post(
        &format!("{}/chat/completions", emu.base_url()),
        Some(emu.api_key()),
        body,
    )
    .expect("request")
}

fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "invoice_number": {"type": "string"},
            "total": {"type": ["number", "null"]},
            "due_date": {"type": ["string", "null"]}
        },
        "required": ["invoice_number", "total", "due_date"]
    })
}

fn structured(text: &str) -> Value {
    json!({
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "Extract the invoice fields."},
            {"role": "user", "content": text}
        ],
        "response_format": {"type": "json_schema", "json_schema": {"name": "invoice", "schema": schema(), "strict": true}}
    })
}

fn error_code(a: &Answer) -> Value {
    a.body["error"]["code"].clone()
}

#[test]
fn the_key_is_checked_and_a_wrong_one_is_masked() {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    let url = format!("{}/chat/completions", emu.base_url());
    let wrong = post(&url, Some("sk-wrong-key-0123456789"), &structured("x")).unwrap();
    assert_eq!(wrong.status, 401);
    assert_eq!(error_code(&wrong), json!("invalid_api_key"));
    let msg = wrong.body["error"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("Incorrect API key provided: sk-wr"),
        "{msg}"
    );
    assert!(!msg.contains("sk-wrong-key-0123456789"), "{msg}");
    let none = post(&url, None, &structured("x")).unwrap();
    assert_eq!(none.status, 401);
    assert!(none.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("didn't provide an API key"));
    let log = emu.requests();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|r| !r.authorized && r.status == Some(401)));
}

#[test]
fn unknown_model_max_tokens_and_json_word_are_refused_like_openai() {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    let mut body = structured("x");
    body["model"] = json!("gpt-4");
    let a = chat(&emu, &body);
    assert_eq!(a.status, 404);
    assert_eq!(error_code(&a), json!("model_not_found"));
    assert_eq!(
        a.body["error"]["message"],
        json!("The model `gpt-4` does not exist or you do not have access to it.")
    );

    let mut body = structured("x");
    body["model"] = json!("o3-mini");
    body["max_tokens"] = json!(100);
    let a = chat(&emu, &body);
    assert_eq!(a.status, 400);
    assert_eq!(error_code(&a), json!("unsupported_parameter"));
    assert_eq!(a.body["error"]["param"], json!("max_tokens"));
    body["model"] = json!("gpt-4o-mini");
    assert_eq!(
        chat(&emu, &body).status,
        200,
        "other models accept max_tokens"
    );

    let a = chat(
        &emu,
        &json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Return the invoice."}], "response_format": {"type": "json_object"}}),
    );
    assert_eq!(a.status, 400);
    assert_eq!(
        a.body["error"]["message"],
        json!("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.")
    );
    assert_eq!(a.body["error"]["param"], json!("messages"));
    let a = chat(
        &emu,
        &json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Return the invoice as JSON.\ntotal: 5"}], "response_format": {"type": "json_object"}}),
    );
    assert_eq!(a.status, 200);
    let content: Value =
        serde_json::from_str(a.body["choices"][0]["message"]["content"].as_str().unwrap()).unwrap();
    assert_eq!(content, json!({"total": "5"}));
}

#[test]
fn strict_schemas_are_checked() {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    let mut body = structured("x");
    body["response_format"]["json_schema"]["schema"]["required"] = json!(["total", "due_date"]);
    let a = chat(&emu, &body);
    assert_eq!(a.status, 400);
    assert_eq!(a.body["error"]["param"], json!("response_format"));
    assert!(a.body["error"]["message"]
        .as_str()
        .unwrap()
        .ends_with("Missing 'invoice_number'."));

    let mut body = structured("x");
    body["response_format"]["json_schema"]["schema"]["additionalProperties"] = json!(true);
    let a = chat(&emu, &body);
    assert_eq!(a.status, 400);
    assert_eq!(a.body["error"]["message"], json!("Invalid schema for response_format 'invoice': In context=(), 'additionalProperties' is required to be supplied and to be false."));

    // Without strict, the same schema is taken as it is.
    body["response_format"]["json_schema"]["strict"] = json!(false);
    assert_eq!(chat(&emu, &body).status, 200);

    let mut body = structured("x");
    body["response_format"]["json_schema"]["name"] = json!("invoice fields");
    let a = chat(&emu, &body);
    assert_eq!(a.status, 400);
    assert_eq!(error_code(&a), json!("invalid_value"));
}

#[test]
fn the_generated_answer_follows_the_schema_and_reports_usage() {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    let a = chat(
        &emu,
        &structured("<document>\ninvoice_number: INV-9\ntotal: 99.5\n</document>"),
    );
    assert_eq!(a.status, 200);
    let choice = &a.body["choices"][0];
    assert_eq!(choice["finish_reason"], json!("stop"));
    assert_eq!(choice["message"]["refusal"], Value::Null);
    let content: Value =
        serde_json::from_str(choice["message"]["content"].as_str().unwrap()).unwrap();
    assert_eq!(
        content,
        json!({"invoice_number": "INV-9", "total": 99.5, "due_date": null})
    );
    let usage = &a.body["usage"];
    let (p, c, t) = (
        usage["prompt_tokens"].as_u64().unwrap(),
        usage["completion_tokens"].as_u64().unwrap(),
        usage["total_tokens"].as_u64().unwrap(),
    );
    assert!(p > 10 && c > 5, "{usage}");
    assert_eq!(p + c, t);
    assert_eq!(a.body["object"], json!("chat.completion"));
    let log = emu.chat_requests();
    assert_eq!(log.len(), 1);
    assert!(log[0].authorized);
    assert_eq!(log[0].answer, "generated");
    assert!(log[0].messages_text("user").contains("INV-9"));
    assert_eq!(
        log[0].messages_text("system"),
        "Extract the invoice fields."
    );
    assert_eq!(log[0].schema(), Some(&schema()));
}

#[test]
fn scripted_replies_are_used_in_order() {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    emu.push_reply(Reply::refusal("I can't help with that."));
    emu.push_reply(Reply::Truncated { content: None });
    emu.push_reply(Reply::content("{not json"));
    emu.push_reply(Reply::RateLimited {
        retry_after: Some(2),
    });
    emu.push_reply(Reply::InsufficientQuota);
    emu.push_reply(Reply::ServerError { status: 503 });
    emu.push_reply(Reply::ServerError { status: 502 });
    emu.push_reply(Reply::ContentFilter);
    let body = structured("invoice_number: A-1");

    let a = chat(&emu, &body);
    assert_eq!(a.body["choices"][0]["message"]["content"], Value::Null);
    assert_eq!(
        a.body["choices"][0]["message"]["refusal"],
        json!("I can't help with that.")
    );
    assert_eq!(a.body["choices"][0]["finish_reason"], json!("stop"));

    let a = chat(&emu, &body);
    assert_eq!(a.body["choices"][0]["finish_reason"], json!("length"));
    let cut = a.body["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(serde_json::from_str::<Value>(cut).is_err(), "{cut}");

    let a = chat(&emu, &body);
    assert_eq!(
        a.body["choices"][0]["message"]["content"],
        json!("{not json")
    );

    let a = chat(&emu, &body);
    assert_eq!(a.status, 429);
    assert_eq!(error_code(&a), json!("rate_limit_exceeded"));
    assert_eq!(a.headers.get("retry-after").unwrap(), "2");
    assert_eq!(a.headers.get("x-ratelimit-remaining-tokens").unwrap(), "0");

    let a = chat(&emu, &body);
    assert_eq!(a.status, 429);
    assert_eq!(a.body["error"]["type"], json!("insufficient_quota"));

    let a = chat(&emu, &body);
    assert_eq!(a.status, 503);
    assert_eq!(a.body["error"]["type"], json!("server_error"));
    let a = chat(&emu, &body);
    assert_eq!(a.status, 502);
    assert_eq!(a.body, json!("Bad Gateway"), "a 5xx body need not be JSON");

    let a = chat(&emu, &body);
    assert_eq!(
        a.body["choices"][0]["finish_reason"],
        json!("content_filter")
    );

    assert_eq!(emu.pending_replies(), 0);
    let a = chat(&emu, &body);
    assert_eq!(a.status, 200, "back to the generated answer");
    let answers: Vec<String> = emu.chat_requests().into_iter().map(|r| r.answer).collect();
    assert_eq!(
        answers,
        [
            "refusal",
            "truncated",
            "content",
            "rate_limited",
            "insufficient_quota",
            "server_error",
            "server_error",
            "content_filter",
            "generated"
        ]
    );
}

#[test]
fn invalid_requests_do_not_spend_a_scripted_reply() {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    emu.push_reply(Reply::refusal("no"));
    let mut bad = structured("x");
    bad["model"] = json!("nope");
    assert_eq!(chat(&emu, &bad).status, 404);
    assert_eq!(emu.pending_replies(), 1);
}

#[test]
fn slow_replies_wait_and_dropped_connections_close() {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    emu.push_reply(Reply::slow(Duration::from_millis(300), Reply::Generated));
    emu.push_reply(Reply::Drop);
    let started = Instant::now();
    let a = chat(&emu, &structured("x"));
    assert_eq!(a.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let url = format!("{}/chat/completions", emu.base_url());
    let dropped = post(&url, Some(emu.api_key()), &structured("x"));
    assert!(dropped.is_err(), "the connection closes without an answer");
    let log = emu.chat_requests();
    assert_eq!(log[0].answer, "slow:generated");
    assert_eq!(log[1].status, None);
}

#[test]
fn the_request_log_is_bounded() {
    let config = Config {
        max_recorded: 2,
        ..Config::default()
    };
    let emu = Emulator::start_with("127.0.0.1:0", config).unwrap();
    for n in 0..3 {
        chat(&emu, &structured(&format!("invoice_number: N{n}")));
    }
    let log = emu.chat_requests();
    assert_eq!(log.len(), 2);
    assert!(log[0].messages_text("user").contains("N1"));
}

#[test]
fn control_routes_script_replies_and_list_requests() {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    let control = format!("http://{}/__control", emu.addr());
    let queued = post(
        &format!("{control}/replies"),
        None,
        &json!([{"kind": "refusal", "refusal": "no"}, {"kind": "rate_limited", "retry_after": 1}]),
    )
    .unwrap();
    assert_eq!(queued.body["queued"], json!(2));
    assert_eq!(
        chat(&emu, &structured("x")).body["choices"][0]["message"]["refusal"],
        json!("no")
    );
    let mut r = agent().get(&format!("{control}/requests")).call().unwrap();
    let listed: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["answer"], json!("refusal"));
    post(&format!("{control}/clear"), None, &json!({})).unwrap();
    assert_eq!(emu.pending_replies(), 0);
    assert!(emu.requests().is_empty());
}

#[test]
fn it_stops_when_the_handle_drops() {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    let addr = emu.addr();
    assert!(std::net::TcpStream::connect(addr).is_ok());
    drop(emu);
    std::thread::sleep(Duration::from_millis(50));
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[test]
fn a_second_emulator_on_a_taken_port_is_an_error() {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    assert!(matches!(
        Emulator::start(&emu.addr().to_string()),
        Err(openai_emulator::EmulatorError::Bind { .. })
    ));
}
