//! Shared setup: an emulator and an extractor pointed at it, and a good answer.
#![allow(dead_code)]

use std::time::Duration;

use boxkeeper_llm::{ApiKey, LlmExtractor, LlmSettings, Mode};
use openai_emulator::Emulator;
use serde_json::{json, Value};

pub const INVOICE_TEXT: &str = "Jane Smith Lighting LLC\nINVOICE INV-2024-0042\nDate: March 15, 2024\nGaffer 5 days x 600.00 = 3,000.00\nSales tax 240.00\nTotal USD 3,240.00";

pub fn settings(emu: &Emulator, mode: Mode) -> LlmSettings {
    let mut s = LlmSettings::new(emu.base_url(), "gpt-4o-mini", ApiKey::new(emu.api_key()));
    s.mode = mode;
    s.timeout = Duration::from_secs(5);
    s
}

pub fn extractor(emu: &Emulator, mode: Mode) -> LlmExtractor {
    LlmExtractor::new(settings(emu, mode)).expect("extractor")
}

pub fn good_answer() -> Value {
    json!({
        "document_type": "invoice",
        "vendor_name": "Jane Smith Lighting LLC",
        "invoice_number": "INV-2024-0042",
        "invoice_date": "2024-03-15",
        "due_date": null,
        "currency": "USD",
        "subtotal": 3000,
        "tax": 240,
        "total": 3240,
        "po_number": null,
        "description": "Gaffer",
        "line_items": [
            {"description": "Gaffer", "quantity": 5, "unit_price": 600, "amount": 3000,
             "date": null, "account_code": "5300"}
        ]
    })
}
