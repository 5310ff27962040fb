//! Test support: an emulator seeded with an accounting board shaped like the old system's
//! (groups titled by project, PO columns, a subitems board with line columns), a client
//! with short backoff whose waits are recorded, the mapping of that board, and sample POs.
#![allow(dead_code)] // each test file uses part of it

use std::sync::{Arc, Mutex};
use std::time::Duration;

use boxkeeper_monday::{
    Client, ClientConfig, ColumnMapping, ItemColumns, KnownIds, LineStatus, LineSubitem, Link,
    MondayToken, PoItem, PoStatus, RetryPolicy, SubitemColumns,
};
use monday_emulator::{Config, Emulator, ItemEventKind, ItemView, Seed};
use serde_json::json;

pub const BOARD: &str = "5000000001";
pub const SUB_BOARD: &str = "5000000002";
/// A board that never had subitems.
pub const PLAIN_BOARD: &str = "5000000003";

pub const GROUP_2416: &str = "group_2416";
pub const GROUP_2501: &str = "group_2501";

pub const PROJECT: &str = "text_project";
pub const PO: &str = "text_po";
pub const DESCRIPTION: &str = "long_text_desc";
pub const STATUS: &str = "color_status";
pub const TAX_FORM: &str = "link_tax";
pub const FOLDER: &str = "link_folder";
pub const CONTACT: &str = "link_contact";
pub const TOTAL: &str = "numeric_total";

pub const LINE_STATUS: &str = "color_line";
pub const FILE_NUMBER: &str = "text_file";
pub const LINE_DESCRIPTION: &str = "text_line_desc";
pub const QUANTITY: &str = "numeric_qty";
pub const RATE: &str = "numeric_rate";
pub const DATE: &str = "date_line";
pub const DUE_DATE: &str = "date_due";
pub const ACCOUNT: &str = "text_account";
pub const FILE_LINK: &str = "link_file";
/// A subitem column the mapping does not use.
pub const HOURS: &str = "numeric_hours";

pub const TOKEN: &str = "monday-test-token-SECRET-9f8e7d";

fn status_settings(labels: &[&str]) -> String {
    let labels: serde_json::Map<String, serde_json::Value> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (i.to_string(), json!(l)))
        .collect();
    json!({"done_colors": [1], "labels": labels}).to_string()
}

fn col(id: &str, title: &str, ty: &str) -> serde_json::Value {
    json!({"id": id, "title": title, "type": ty, "settings_str": "{}"})
}

/// The accounting board, its subitems board and a board without subitems. The status
/// columns lack some of domain.md's labels on purpose ("CC / PC", "Needs Verification",
/// "RTP", "PO Log Mismatch"): the sync creates them.
pub fn seed() -> Seed {
    seed_with_item_columns(&[])
}

/// The same boards, the accounting board with `extra` columns (id, title, type) too.
pub fn seed_with_item_columns(extra: &[(&str, &str, &str)]) -> Seed {
    let mut board = json!({
        "id": BOARD,
        "name": "Accounting 2025",
        "columns": [
            col("name", "Name", "name"),
            {"id": "subitems_mk01", "title": "Subitems", "type": "subtasks",
             "settings_str": json!({"allowMultipleItems": true, "boardIds": [SUB_BOARD.parse::<u64>().unwrap()]}).to_string()},
            col(PROJECT, "Project", "text"),
            col(PO, "PO Number", "text"),
            col(DESCRIPTION, "Description", "long_text"),
            {"id": STATUS, "title": "Status", "type": "status",
             "settings_str": status_settings(&["Approved", "Tax Form Needed"])},
            col(TAX_FORM, "Tax Form", "link"),
            col(FOLDER, "Dropbox Folder", "link"),
            col(CONTACT, "Contact", "link"),
            col(TOTAL, "Total", "numbers"),
            col("date_po", "PO Date", "date"),
        ],
        "groups": [
            {"id": "topics", "title": "Inbox"},
            {"id": "group_decoy", "title": "24160 - Another project"},
            {"id": GROUP_2416, "title": "2416 - Whop Keynote"},
            {"id": GROUP_2501, "title": "2501_Spring Campaign"},
        ],
    });
    for (id, title, ty) in extra {
        board["columns"]
            .as_array_mut()
            .expect("columns")
            .push(col(id, title, ty));
    }
    let sub = json!({
        "id": SUB_BOARD,
        "name": "Subitems of Accounting 2025",
        "type": "sub_items_board",
        "columns": [
            col("name", "Name", "name"),
            {"id": LINE_STATUS, "title": "Status", "type": "status",
             "settings_str": status_settings(&["Pending", "Paid"])},
            col(FILE_NUMBER, "File #", "text"),
            col(LINE_DESCRIPTION, "Description", "text"),
            col(QUANTITY, "Qty", "numbers"),
            col(RATE, "Rate", "numbers"),
            col(DATE, "Date", "date"),
            col(DUE_DATE, "Due Date", "date"),
            col(ACCOUNT, "Account", "text"),
            col(FILE_LINK, "File", "link"),
            col(HOURS, "Hours", "numbers"),
        ],
        "groups": [{"id": "topics", "title": "Subitems"}],
    });
    let plain = json!({
        "id": PLAIN_BOARD,
        "name": "Vendors",
        "columns": [col("name", "Name", "name"), col(PROJECT, "Project", "text")],
    });
    let mut seed = Seed::empty();
    seed.add_value(json!([board, sub, plain])).expect("seed");
    seed
}

pub fn start() -> Emulator {
    start_with(|_| {})
}

pub fn start_with(adjust: impl FnOnce(&mut Config)) -> Emulator {
    let mut config = Config {
        token: TOKEN.into(),
        seed: seed(),
        ..Config::default()
    };
    adjust(&mut config);
    Emulator::start_with("127.0.0.1:0", config).expect("start the emulator")
}

/// The waits a client made, each slept for at most `sleep_cap`.
#[derive(Clone)]
pub struct Waits {
    pub seen: Arc<Mutex<Vec<Duration>>>,
    pub sleep_cap: Duration,
}

impl Waits {
    pub fn all(&self) -> Vec<Duration> {
        self.seen.lock().unwrap().clone()
    }
}

pub fn config(emu: &Emulator) -> ClientConfig {
    ClientConfig {
        api_url: emu.api_url(),
        timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            attempts: 4,
            base: Duration::from_millis(5),
            cap: Duration::from_millis(40),
            max_limit_wait: Duration::from_secs(65),
        },
        ..ClientConfig::default()
    }
}

/// A client of `emu` whose waits are recorded and slept for at most `sleep_cap`.
pub fn client_sleeping(emu: &Emulator, sleep_cap: Duration) -> (Client, Waits) {
    let waits = Waits {
        seen: Arc::default(),
        sleep_cap,
    };
    let w = waits.clone();
    let client = Client::new(MondayToken::new(TOKEN), config(emu)).with_wait(move |d| {
        w.seen.lock().unwrap().push(d);
        std::thread::sleep(d.min(w.sleep_cap));
    });
    (client, waits)
}

pub fn client(emu: &Emulator) -> (Client, Waits) {
    client_sleeping(emu, Duration::from_millis(5))
}

pub fn mapping() -> ColumnMapping {
    ColumnMapping {
        board_id: BOARD.into(),
        item: ItemColumns {
            project: PROJECT.into(),
            po_number: PO.into(),
            description: DESCRIPTION.into(),
            status: STATUS.into(),
            tax_form_link: TAX_FORM.into(),
            folder_link: FOLDER.into(),
            contact_link: Some(CONTACT.into()),
        },
        subitem: SubitemColumns {
            status: LINE_STATUS.into(),
            file_number: FILE_NUMBER.into(),
            description: LINE_DESCRIPTION.into(),
            quantity: QUANTITY.into(),
            rate: RATE.into(),
            date: DATE.into(),
            due_date: DUE_DATE.into(),
            account_code: ACCOUNT.into(),
            file_link: FILE_LINK.into(),
        },
    }
}

pub fn line(file: &str, description: &str, qty: &str, rate: &str, account: &str) -> LineSubitem {
    LineSubitem {
        file_number: file.into(),
        status: LineStatus::Pending,
        description: Some(description.into()),
        quantity: Some(qty.into()),
        rate: Some(rate.into()),
        date: Some("2025-03-04".into()),
        due_date: Some("2025-04-03".into()),
        account_code: Some(account.into()),
        file_link: Some(Link::new(
            format!("https://www.dropbox.com/s/abc{file}/2416_03_{file}%20Gaffer%20Invoice.pdf"),
            format!("2416_03_{file} Gaffer Invoice.pdf"),
        )),
    }
}

/// A vendor PO of project 2416 with three lines: two of invoice 01, one of invoice 02.
pub fn gaffer_po() -> PoItem {
    PoItem {
        project: "2416".into(),
        po_number: "03".into(),
        vendor: "Courier Car Rental, Inc.".into(),
        description: Some("Gaffer and grip truck".into()),
        status: PoStatus::NeedsVerification,
        tax_form_link: Some(Link::new(
            "https://www.dropbox.com/s/w9w9/2416_03%20Courier%20W9.pdf",
            "W9",
        )),
        folder_link: Some(Link::new(
            "https://www.dropbox.com/sh/folder2416/03",
            "2416_03 Courier Car Rental, Inc.",
        )),
        contact_link: None,
        lines: vec![
            line("01", "Gaffer", "5", "600.00", "5300"),
            line("01", "Grip truck", "2.5", "150.125", "5200"),
            line("02", "Overtime", "1", "300", "5300"),
        ],
    }
}

/// A card PO of project 2501 with one receipt.
pub fn card_po() -> PoItem {
    PoItem {
        project: "2501".into(),
        po_number: "12".into(),
        vendor: "AMEX 8738".into(),
        description: Some("Craft services".into()),
        status: PoStatus::CardOrPettyCash,
        tax_form_link: None,
        folder_link: Some(Link::new("https://www.dropbox.com/sh/folder2501/12", "")),
        contact_link: None,
        lines: vec![LineSubitem {
            status: LineStatus::Paid,
            account_code: Some("5000".into()),
            ..line("01", "Coffee run", "1", "86.40", "5000")
        }],
    }
}

pub fn no_known() -> KnownIds {
    KnownIds::default()
}

/// The items of the PO board with this project and PO number.
pub fn items_of(emu: &Emulator, project: &str, po: &str) -> Vec<ItemView> {
    emu.items(BOARD)
        .into_iter()
        .filter(|i| i.text(PROJECT) == Some(project) && i.text(PO) == Some(po))
        .collect()
}

/// The subitems of an item, in order.
pub fn subitems_of(emu: &Emulator, item_id: &str) -> Vec<ItemView> {
    let item = emu.item(item_id).expect("the item exists");
    item.subitem_ids
        .iter()
        .map(|id| emu.item(id).expect("the subitem exists"))
        .collect()
}

/// How many creations and changes the API made (a test's own edits left out).
pub fn api_writes(emu: &Emulator) -> Vec<(ItemEventKind, String)> {
    emu.item_log()
        .into_iter()
        .filter(|e| e.by == monday_emulator::Actor::Api)
        .map(|e| (e.kind, e.item_id))
        .collect()
}

/// Root fields of every mutation the emulator received.
pub fn mutations(emu: &Emulator) -> Vec<String> {
    emu.requests()
        .into_iter()
        .filter(|r| {
            r.query
                .as_deref()
                .is_some_and(|q| q.trim_start().starts_with("mutation"))
        })
        .flat_map(|r| r.root_fields)
        .filter(|f| f != "complexity")
        .collect()
}
