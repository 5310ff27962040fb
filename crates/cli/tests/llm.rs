//! `boxkeeper llm` and `boxkeeper extract --llm` against the project's OpenAI-compatible
//! emulator: the key comes from the environment, is stored as a secret (never printed, never
//! logged), and the model's answer is merged with the offline reading.

use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn configure_then_extract_with_the_model() {
    let emu = openai_emulator::Emulator::start("127.0.0.1:0").unwrap();
    let data = tempfile::tempdir().unwrap();
    let shared = std::env::var_os("BOXKEEPER_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"));
    let pdfium = std::env::var_os("BOXKEEPER_PDFIUM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".tools/pdfium"));
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_boxkeeper"))
            .args(args)
            .env("BOXKEEPER_DATA_DIR", data.path())
            .env("BOXKEEPER_KEYRING", "off")
            .env("BOXKEEPER_PDFIUM_DIR", &pdfium)
            .env("BOXKEEPER_LOG", "debug")
            .env("TEST_LLM_KEY", emu.api_key())
            .output()
            .unwrap()
    };
    let base = emu.base_url();
    let set = run(&[
        "llm",
        "--base",
        &base,
        "--model",
        "gpt-4o-mini",
        "--key-env",
        "TEST_LLM_KEY",
    ]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let printed = String::from_utf8_lossy(&set.stdout);
    assert!(printed.contains("\"has_key\":true"), "{printed}");

    emu.push_reply(openai_emulator::Reply::json(&serde_json::json!({
        "document_type": "invoice", "vendor_name": "Amazon Web Services, Inc.",
        "invoice_number": "42183017", "invoice_date": "2014-08-03", "due_date": null,
        "currency": "USD", "subtotal": 4.11, "tax": 0, "total": 4.11, "po_number": null,
        "description": "Cloud hosting", "line_items": []
    })));
    let pdf = shared.join("corpus/invoice2data/AmazonWebServices.pdf");
    let out = run(&["extract", "--llm", "--json", pdf.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["source"], "text+llm");
    assert_eq!(v["fields"]["description"]["value"], "Cloud hosting");
    assert_eq!(v["fields"]["invoice_number"]["value"], "42183017");
    assert_eq!(v["fields"]["total"]["value"], "4.11");
    assert_eq!(emu.chat_requests().len(), 1);
    for output in [&set.stdout, &set.stderr, &out.stdout, &out.stderr] {
        assert!(
            !String::from_utf8_lossy(output).contains(emu.api_key()),
            "the key reached the output"
        );
    }
}
