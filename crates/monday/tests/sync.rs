//! The sync of POs against the emulator: first sync, resync, corrections, crashes and lost
//! answers, duplicates, a remapped project or PO column, the group rule and line errors.
//! Assertions read the emulator's state, item log and request log, not the client's own
//! answers.

mod common;

use std::collections::BTreeSet;

use boxkeeper_monday::{
    BoardSync, Change, KnownIds, LineError, LineStatus, Link, MondayError, PoStatus, SyncError,
};
use common::*;
use monday_emulator::{Fault, ItemEventKind};
use serde_json::json;

#[test]
fn the_first_sync_creates_items_in_their_groups_with_values_and_subitems() {
    let emu = start();
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");

    let gaffer = sync.sync_po(&gaffer_po(), &no_known()).expect("sync");
    let card = sync.sync_po(&card_po(), &no_known()).expect("sync");
    assert_eq!(gaffer.item, Change::Created);
    assert_eq!(gaffer.writes, 4);
    assert!(gaffer.duplicates_on_board.is_empty());
    assert!(gaffer
        .subitems
        .iter()
        .all(|s| matches!(s.result, Ok((_, Change::Created)))));

    // The board, as the emulator holds it.
    let items = items_of(&emu, "2416", "03");
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item.id, gaffer.item_id);
    assert_eq!(item.group_id, GROUP_2416, "not the decoy group 24160");
    assert_eq!(item.name, "Courier Car Rental, Inc.");
    assert_eq!(item.text(DESCRIPTION), Some("Gaffer and grip truck"));
    assert_eq!(item.text(STATUS), Some("Needs Verification"));
    assert_eq!(
        item.text(TAX_FORM),
        Some("W9 - https://www.dropbox.com/s/w9w9/2416_03%20Courier%20W9.pdf")
    );
    assert_eq!(
        item.values[FOLDER].value.as_ref().unwrap()["text"],
        json!("2416_03 Courier Car Rental, Inc.")
    );
    assert_eq!(item.text(CONTACT).unwrap_or(""), "");

    let subs = subitems_of(&emu, &item.id);
    assert_eq!(subs.len(), 3);
    assert!(subs.iter().all(|s| s.board_id == SUB_BOARD));
    let row = |s: &monday_emulator::ItemView| {
        [
            s.name.as_str(),
            s.text(FILE_NUMBER).unwrap_or(""),
            s.text(LINE_STATUS).unwrap_or(""),
            s.text(QUANTITY).unwrap_or(""),
            s.text(RATE).unwrap_or(""),
            s.text(DATE).unwrap_or(""),
            s.text(DUE_DATE).unwrap_or(""),
            s.text(ACCOUNT).unwrap_or(""),
        ]
        .map(str::to_string)
    };
    assert_eq!(
        subs.iter().map(row).collect::<Vec<_>>(),
        vec![
            [
                "Gaffer",
                "01",
                "Pending",
                "5",
                "600",
                "2025-03-04",
                "2025-04-03",
                "5300"
            ],
            [
                "Grip truck",
                "01",
                "Pending",
                "2.5",
                "150.125",
                "2025-03-04",
                "2025-04-03",
                "5200"
            ],
            [
                "Overtime",
                "02",
                "Pending",
                "1",
                "300",
                "2025-03-04",
                "2025-04-03",
                "5300"
            ],
        ]
        .into_iter()
        .map(|r| r.map(str::to_string))
        .collect::<Vec<_>>()
    );
    assert_eq!(
        subs[2].values[FILE_LINK].value.as_ref().unwrap()["url"],
        json!("https://www.dropbox.com/s/abc02/2416_03_02%20Gaffer%20Invoice.pdf")
    );
    assert_eq!(
        gaffer.subitem_ids().get("01").map(Vec::len),
        Some(2),
        "two lines of file 01"
    );
    assert_eq!(gaffer.subitem_ids()["02"], vec![subs[2].id.clone()]);

    let card_item = emu.item(&card.item_id).unwrap();
    assert_eq!(card_item.group_id, GROUP_2501);
    assert_eq!(card_item.text(STATUS), Some("CC / PC"), "label created");
    assert_eq!(
        card_item.text(FOLDER),
        Some("https://www.dropbox.com/sh/folder2501/12 - https://www.dropbox.com/sh/folder2501/12")
    );
    let card_subs = subitems_of(&emu, &card.item_id);
    assert_eq!(card_subs.len(), 1);
    assert_eq!(card_subs[0].text(LINE_STATUS), Some("Paid"));
    assert_eq!(card_subs[0].text(RATE), Some("86.4"));

    let writes = api_writes(&emu);
    let kinds: Vec<ItemEventKind> = writes.iter().map(|w| w.0).collect();
    assert_eq!(
        kinds,
        [
            ItemEventKind::Created,
            ItemEventKind::SubitemCreated,
            ItemEventKind::SubitemCreated,
            ItemEventKind::SubitemCreated,
            ItemEventKind::Created,
            ItemEventKind::SubitemCreated,
        ]
    );
}

#[test]
fn every_request_carries_its_values_in_variables_never_in_the_query_text() {
    let emu = start();
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    let first = sync.sync_po(&gaffer_po(), &no_known()).expect("sync");
    let mut changed = gaffer_po();
    changed.description = Some("Gaffer, grip truck and overtime".into());
    sync.sync_po(&changed, &first.known_ids()).expect("resync");

    let requests = emu.requests();
    assert!(requests.len() >= 8, "{}", requests.len());
    let item = emu.item(&first.item_id).unwrap();
    let mut values: Vec<String> = vec![
        "2416".into(),
        "Courier".into(),
        "Gaffer".into(),
        "dropbox".into(),
        "W9".into(),
        "Needs Verification".into(),
        "Pending".into(),
        "600".into(),
        "5300".into(),
        "2025-03-04".into(),
        BOARD.into(),
        SUB_BOARD.into(),
        GROUP_2416.into(),
    ];
    values.extend(item.subitem_ids.iter().cloned());
    values.push(item.id.clone());
    for (column, _) in item.values.iter() {
        values.push(column.clone());
    }
    for r in &requests {
        let query = r.query.as_deref().expect("a query");
        for v in &values {
            assert!(
                !query.contains(v.as_str()),
                "{v:?} pasted into the query text:\n{query}"
            );
        }
        assert!(
            r.variables.as_ref().is_some_and(|v| v.is_object()),
            "variables are an object: {:?}",
            r.variables
        );
        assert_eq!(r.api_version_header.as_deref(), Some("2025-07"));
        assert!(r.authorized);
    }
    // ... and the values did travel, as variables.
    let variables: String = requests
        .iter()
        .map(|r| r.variables.as_ref().unwrap().to_string())
        .collect();
    for v in [
        "2416",
        "Courier Car Rental",
        "Needs Verification",
        "150.125",
    ] {
        assert!(variables.contains(v), "{v} not sent");
    }
}

#[test]
fn a_resync_of_unchanged_data_writes_nothing() {
    let emu = start();
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    let first = sync.sync_po(&gaffer_po(), &no_known()).expect("sync");
    sync.sync_po(&card_po(), &no_known()).expect("sync");
    let writes_before = api_writes(&emu);
    let items_before = emu.items(BOARD).len();
    let subs_before = emu.items(SUB_BOARD).len();
    emu.clear_requests();

    // Without the cached ids (found by search) and with them (read by id).
    for known in [no_known(), first.known_ids()] {
        let again = sync.sync_po(&gaffer_po(), &known).expect("resync");
        assert_eq!(again.item_id, first.item_id);
        assert_eq!(again.item, Change::Unchanged);
        assert_eq!(again.writes, 0);
        assert_eq!(again.subitem_ids(), first.subitem_ids());
        assert!(again
            .subitems
            .iter()
            .all(|s| matches!(s.result, Ok((_, Change::Unchanged)))));
    }
    sync.sync_po(&card_po(), &no_known()).expect("resync");

    assert_eq!(
        api_writes(&emu),
        writes_before,
        "the item log shows no write"
    );
    assert!(mutations(&emu).is_empty(), "{:?}", mutations(&emu));
    assert_eq!(emu.items(BOARD).len(), items_before);
    assert_eq!(emu.items(SUB_BOARD).len(), subs_before);
    // With the cached id the item is read directly, without a search.
    let searches = emu
        .requests()
        .iter()
        .filter(|r| {
            r.root_fields
                .contains(&"items_page_by_column_values".to_string())
        })
        .count();
    assert_eq!(searches, 2, "one search per sync without a cached id");
}

#[test]
fn a_correction_in_the_app_reaches_the_board_with_change_multiple_column_values() {
    let emu = start();
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    let first = sync.sync_po(&gaffer_po(), &no_known()).expect("sync");
    // Someone fills an unmapped column on the board: the sync leaves it alone.
    emu.change_column_values(BOARD, &first.item_id, json!({TOTAL: "1234.5"}))
        .unwrap();
    let seq_before = emu.item_log().len();
    emu.clear_requests();

    let mut corrected = gaffer_po();
    corrected.description = Some("Gaffer, grip truck and overtime".into());
    corrected.status = PoStatus::Approved;
    corrected.tax_form_link = None; // the W9 was removed: the link is cleared
    corrected.contact_link = Some(Link::new("https://contacts.example/courier", "Contact"));
    corrected.lines[1].account_code = Some("6110".into());
    corrected.lines[2].status = LineStatus::PoLogMismatch;
    corrected
        .lines
        .push(line("03", "Fuel", "1", "45.10", "6110"));
    let outcome = sync
        .sync_po(&corrected, &first.known_ids())
        .expect("resync");
    assert_eq!(outcome.item, Change::Updated);
    let changes: Vec<Change> = outcome
        .subitems
        .iter()
        .map(|s| s.result.as_ref().unwrap().1)
        .collect();
    assert_eq!(
        changes,
        [
            Change::Unchanged,
            Change::Updated,
            Change::Updated,
            Change::Created
        ]
    );
    assert_eq!(outcome.writes, 4);

    let item = emu.item(&first.item_id).unwrap();
    assert_eq!(
        item.text(DESCRIPTION),
        Some("Gaffer, grip truck and overtime")
    );
    assert_eq!(item.text(STATUS), Some("Approved"));
    assert_eq!(item.text(TAX_FORM).unwrap_or(""), "");
    assert_eq!(
        item.text(CONTACT),
        Some("Contact - https://contacts.example/courier")
    );
    assert_eq!(
        item.text(TOTAL),
        Some("1234.5"),
        "an unmapped column is kept"
    );
    let subs = subitems_of(&emu, &first.item_id);
    assert_eq!(subs.len(), 4);
    assert_eq!(subs[1].text(ACCOUNT), Some("6110"));
    assert_eq!(subs[2].text(LINE_STATUS), Some("PO Log Mismatch"));
    assert_eq!(subs[3].text(FILE_NUMBER), Some("03"));

    // Only what differed was written.
    let log = &emu.item_log()[seq_before..];
    let item_change = log
        .iter()
        .find(|e| e.item_id == first.item_id)
        .expect("the item changed");
    assert_eq!(item_change.kind, ItemEventKind::ValuesChanged);
    let keys: BTreeSet<&str> = item_change
        .column_values
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([DESCRIPTION, STATUS, TAX_FORM, CONTACT])
    );
    let line_change = log.iter().find(|e| e.item_id == subs[1].id).unwrap();
    assert_eq!(
        line_change.column_values,
        json!({ACCOUNT: "6110"}),
        "only the account code"
    );
    assert_eq!(
        mutations(&emu),
        [
            "change_multiple_column_values",
            "change_multiple_column_values",
            "change_multiple_column_values",
            "create_subitem"
        ]
    );

    // A person's edit of a mapped column on the board is put back by the next sync: the
    // app owns the mapped columns.
    emu.change_column_values(SUB_BOARD, &subs[0].id, json!({RATE: "650"}))
        .unwrap();
    let again = sync.sync_po(&corrected, &outcome.known_ids()).unwrap();
    assert_eq!(
        again.subitems[0].result.as_ref().unwrap().1,
        Change::Updated
    );
    assert_eq!(emu.item(&subs[0].id).unwrap().text(RATE), Some("600"));
    let vendor_renamed = PoItemExt::renamed(&corrected, "Courier Car Rental, Inc");
    sync.sync_po(&vendor_renamed, &outcome.known_ids()).unwrap();
    assert_eq!(
        emu.item(&first.item_id).unwrap().name,
        "Courier Car Rental, Inc"
    );
}

trait PoItemExt {
    fn renamed(&self, vendor: &str) -> Self;
}

impl PoItemExt for boxkeeper_monday::PoItem {
    fn renamed(&self, vendor: &str) -> Self {
        let mut po = self.clone();
        po.vendor = vendor.into();
        po
    }
}

#[test]
fn an_item_created_before_a_crash_is_found_not_created_again() {
    let emu = start();
    // A previous run created the item, then crashed before recording its id or adding the
    // subitems.
    let orphan = emu
        .create_item(
            BOARD,
            Some(GROUP_2416),
            "Courier Car Rental, Inc.",
            json!({PROJECT: "2416", PO: "03", STATUS: {"label": "Tax Form Needed"}}),
        )
        .unwrap();
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    let outcome = sync.sync_po(&gaffer_po(), &no_known()).expect("sync");
    assert_eq!(outcome.item_id, orphan.id);
    assert_eq!(outcome.item, Change::Updated);
    assert_eq!(items_of(&emu, "2416", "03").len(), 1, "no duplicate item");
    assert_eq!(subitems_of(&emu, &orphan.id).len(), 3);
    assert!(!mutations(&emu).contains(&"create_item".to_string()));
    assert_eq!(
        emu.item(&orphan.id).unwrap().text(STATUS),
        Some("Needs Verification")
    );
}

#[test]
fn a_lost_create_item_answer_does_not_make_a_duplicate() {
    let emu = start();
    let (client, waits) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    // The item is created, then the connection drops before the answer.
    emu.inject_fault_on("create_item", Fault::DropAfterCommit, 1);
    let outcome = sync.sync_po(&gaffer_po(), &no_known()).expect("sync");
    assert_eq!(emu.pending_faults(), 0, "the fault was met");
    assert_eq!(outcome.item, Change::Created);
    let items = items_of(&emu, "2416", "03");
    assert_eq!(items.len(), 1, "one item despite the lost answer");
    assert_eq!(items[0].id, outcome.item_id);
    assert_eq!(subitems_of(&emu, &outcome.item_id).len(), 3);
    assert_eq!(
        mutations(&emu)
            .iter()
            .filter(|m| *m == "create_item")
            .count(),
        1,
        "create_item was not sent again"
    );
    assert_eq!(waits.all().len(), 1, "one backoff before looking again");
}

#[test]
fn failed_subitems_are_created_by_the_next_sync_without_duplicates() {
    let emu = start();
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    // The item is created; every create_subitem then fails with a 500.
    emu.inject_fault_on("create_subitem", Fault::Status { status: 500 }, 100);
    let err = sync.sync_po(&gaffer_po(), &no_known()).unwrap_err();
    let SyncError::Monday {
        item_id: Some(item_id),
        error: MondayError::Unavailable(_),
    } = &err
    else {
        panic!("expected the item's id and a 500: {err:?}");
    };
    assert_eq!(subitems_of(&emu, item_id).len(), 0);
    let tries = emu
        .requests()
        .iter()
        .filter(|r| r.root_fields.contains(&"create_subitem".to_string()))
        .count();
    assert_eq!(tries, 4, "bounded by the policy's attempts");
    emu.clear_faults();

    // The next run has no cached id: the search finds the item.
    let outcome = sync.sync_po(&gaffer_po(), &no_known()).expect("resume");
    assert_eq!(&outcome.item_id, item_id);
    assert_eq!(outcome.item, Change::Unchanged);
    assert_eq!(items_of(&emu, "2416", "03").len(), 1);
    assert_eq!(subitems_of(&emu, item_id).len(), 3);
    assert!(outcome.subitems.iter().all(|s| s.result.is_ok()));
}

#[test]
fn a_lost_create_subitem_answer_does_not_make_a_duplicate() {
    let emu = start();
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    // The second line's subitem is created but its answer lost; then a plain 503.
    emu.inject_fault_on("create_subitem", Fault::Delay { delay_ms: 0 }, 1);
    emu.inject_fault_on("create_subitem", Fault::DropAfterCommit, 1);
    emu.inject_fault_on("create_subitem", Fault::Status { status: 503 }, 1);
    let outcome = sync.sync_po(&gaffer_po(), &no_known()).expect("sync");
    assert_eq!(emu.pending_faults(), 0, "every fault was met");
    let subs = subitems_of(&emu, &outcome.item_id);
    assert_eq!(subs.len(), 3, "one subitem per line");
    let files: Vec<&str> = subs.iter().map(|s| s.text(FILE_NUMBER).unwrap()).collect();
    assert_eq!(files, ["01", "01", "02"]);
    let ids: Vec<String> = outcome
        .subitems
        .iter()
        .map(|s| s.result.as_ref().unwrap().0.clone())
        .collect();
    assert_eq!(
        ids,
        subs.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        "the outcome names the subitems on the board"
    );
    // A resync still finds exactly these.
    let again = sync.sync_po(&gaffer_po(), &no_known()).unwrap();
    assert_eq!(again.writes, 0);
}

#[test]
fn a_stale_cached_id_falls_back_to_the_search() {
    let emu = start();
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    let first = sync.sync_po(&gaffer_po(), &no_known()).unwrap();
    let card = sync.sync_po(&card_po(), &no_known()).unwrap();
    // Ids that point elsewhere: another PO's item, and an id that does not exist.
    for stale in [card.item_id.clone(), "77".to_string()] {
        let known = KnownIds {
            item_id: Some(stale),
            ..KnownIds::default()
        };
        let again = sync.sync_po(&gaffer_po(), &known).unwrap();
        assert_eq!(again.item_id, first.item_id);
        assert_eq!(again.writes, 0);
    }
    assert_eq!(emu.item(&card.item_id).unwrap().name, "AMEX 8738");
    assert_eq!(emu.items(BOARD).len(), 2);
}

#[test]
fn a_new_project_or_po_column_on_the_same_board_keeps_the_item() {
    let emu = start_with(|c| {
        c.seed = seed_with_item_columns(&[
            ("text_project_code", "Project code", "text"),
            ("text_po_code", "PO #", "text"),
        ])
    });
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    let first = sync.sync_po(&gaffer_po(), &no_known()).unwrap();
    let known = KnownIds {
        item_id: Some(first.item_id.clone()),
        subitem_ids: first.subitem_ids(),
    };
    // A person maps the project and PO number to other (still empty) columns.
    let mut moved = mapping();
    moved.item.project = "text_project_code".into();
    moved.item.po_number = "text_po_code".into();
    let mut sync = BoardSync::connect(&client, &moved).expect("the new mapping fits");
    let again = sync.sync_po(&gaffer_po(), &known).unwrap();
    assert_eq!(again.item_id, first.item_id, "the known item is kept");
    assert_eq!(again.item, Change::Updated);
    assert_eq!(emu.items(BOARD).len(), 1, "no duplicate item");
    let item = emu.item(&first.item_id).unwrap();
    assert_eq!(item.text("text_project_code"), Some("2416"));
    assert_eq!(item.text("text_po_code"), Some("03"));
    assert_eq!(subitems_of(&emu, &first.item_id).len(), 3);
    let known = KnownIds {
        item_id: Some(again.item_id.clone()),
        subitem_ids: again.subitem_ids(),
    };
    assert_eq!(sync.sync_po(&gaffer_po(), &known).unwrap().writes, 0);
}

#[test]
fn lines_the_app_no_longer_has_are_marked_removed_on_the_board() {
    let emu = start();
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    let first = sync.sync_po(&gaffer_po(), &no_known()).unwrap();
    let known = KnownIds {
        item_id: Some(first.item_id.clone()),
        subitem_ids: first.subitem_ids(),
    };
    // Invoice 02 was rejected and the second line of invoice 01 deleted.
    let mut po = gaffer_po();
    po.lines.truncate(1);
    let again = sync.sync_po(&po, &known).unwrap();
    assert_eq!(again.writes, 2, "two subitems marked");
    let subs = subitems_of(&emu, &first.item_id);
    assert_eq!(
        subs.len(),
        3,
        "nothing is deleted (the emulator has no delete)"
    );
    let statuses: Vec<(&str, &str)> = subs
        .iter()
        .map(|s| {
            (
                s.text(LINE_DESCRIPTION).unwrap(),
                s.text(LINE_STATUS).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("Gaffer", "Pending"),
            ("Grip truck", "Removed"),
            ("Overtime", "Removed")
        ]
    );
    // A resync writes nothing.
    let known = KnownIds {
        item_id: Some(again.item_id.clone()),
        subitem_ids: again.subitem_ids(),
    };
    assert_eq!(sync.sync_po(&po, &known).unwrap().writes, 0);
    assert_eq!(sync.sync_po(&po, &no_known()).unwrap().writes, 0);
    // Invoice 02 comes back: its subitem is used again, not a new one made.
    let back = sync.sync_po(&gaffer_po(), &known).unwrap();
    assert_eq!(subitems_of(&emu, &first.item_id).len(), 3);
    assert!(back.subitems.iter().all(|s| s.result.is_ok()));
    assert!(subitems_of(&emu, &first.item_id)
        .iter()
        .all(|s| s.text(LINE_STATUS) == Some("Pending")));
}

#[test]
fn duplicates_on_the_board_are_paged_through_and_the_oldest_is_used() {
    let emu = start();
    let mut made = Vec::new();
    for i in 0..27 {
        let v = emu
            .create_item(
                BOARD,
                Some(GROUP_2416),
                &format!("Copy {i}"),
                json!({PROJECT: "2416", PO: "03"}),
            )
            .unwrap();
        made.push(v.id);
    }
    // Same PO number in another project: not a match.
    emu.create_item(
        BOARD,
        Some(GROUP_2501),
        "Other",
        json!({PROJECT: "2501", PO: "03"}),
    )
    .unwrap();
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    let outcome = sync.sync_po(&gaffer_po(), &no_known()).unwrap();
    assert_eq!(outcome.item_id, made[0]);
    assert_eq!(outcome.duplicates_on_board, made[1..].to_vec());
    assert!(!mutations(&emu).contains(&"create_item".to_string()));
    let paged = emu.requests().iter().any(|r| {
        r.variables
            .as_ref()
            .is_some_and(|v| v.get("cursor").is_some_and(|c| c.is_string()))
    });
    assert!(paged, "the second page was asked with the cursor");
}

#[test]
fn a_project_without_a_group_is_the_items_error() {
    let emu = start();
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    let mut po = gaffer_po();
    po.project = "241".into(); // a prefix of 2416 and 24160: no group starts with 241 alone
    let err = sync.sync_po(&po, &no_known()).unwrap_err();
    assert_eq!(
        err,
        SyncError::NoGroup {
            project: "241".into()
        }
    );
    assert!(err.to_string().contains("\"241 - <project name>\""));
    assert!(emu.items(BOARD).is_empty());
    assert!(mutations(&emu).is_empty());

    let mut blank = gaffer_po();
    blank.po_number = " ".into();
    assert!(matches!(
        sync.sync_po(&blank, &no_known()),
        Err(SyncError::Input { .. })
    ));
}

#[test]
fn a_lines_bad_data_is_its_own_error_and_the_other_lines_go_on() {
    let emu = start();
    let (client, _) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    let mut po = gaffer_po();
    po.lines[0].date = Some("03/04/2025".into());
    po.lines[2].rate = Some("1,200.00".into());
    let outcome = sync.sync_po(&po, &no_known()).expect("sync");
    let errors: Vec<String> = outcome.line_errors().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        [
            "file 01: date \"03/04/2025\" is not a date (YYYY-MM-DD)",
            "file 02: rate \"1,200.00\" is not a decimal number"
        ]
    );
    assert!(matches!(
        outcome.subitems[0].result,
        Err(LineError::Input { .. })
    ));
    let subs = subitems_of(&emu, &outcome.item_id);
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].name, "Grip truck");

    // Fixed data creates the missing lines and keeps the one already there.
    let outcome = sync.sync_po(&gaffer_po(), &outcome.known_ids()).unwrap();
    assert!(outcome.line_errors().next().is_none());
    let subs = subitems_of(&emu, &outcome.item_id);
    assert_eq!(subs.len(), 3);
    assert_eq!(subs[0].name, "Grip truck", "kept, not recreated");
}
