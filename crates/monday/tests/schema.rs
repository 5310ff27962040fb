//! Reading a board's schema from the emulator and validating mappings against it.

mod common;

use boxkeeper_monday::{validate, BoardSync, Field, MondayError, ProblemKind, SetupError};
use common::*;

#[test]
fn the_schema_has_columns_groups_and_the_subitems_board() {
    let emu = start();
    let (client, _) = client(&emu);
    let schema = client.board_schema(BOARD).expect("schema");
    assert_eq!(schema.board.id, BOARD);
    assert_eq!(schema.board.name, "Accounting 2025");
    let status = schema.board.column(STATUS).expect("status column");
    assert_eq!(status.kind, "status");
    assert!(status.settings_str.contains("Tax Form Needed"));
    assert_eq!(schema.board.column(DESCRIPTION).unwrap().kind, "long_text");
    let titles: Vec<&str> = schema
        .board
        .groups
        .iter()
        .map(|g| g.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Inbox",
            "24160 - Another project",
            "2416 - Whop Keynote",
            "2501_Spring Campaign"
        ]
    );
    let sub = schema.subitems.as_ref().expect("subitems board");
    assert_eq!(sub.id, SUB_BOARD);
    assert_eq!(sub.column(RATE).unwrap().kind, "numbers");
    assert_eq!(
        schema.group_for_project("2416").map(|g| g.id.as_str()),
        Some(GROUP_2416)
    );
    assert_eq!(
        schema.group_for_project("2501").map(|g| g.id.as_str()),
        Some(GROUP_2501)
    );
    assert!(validate(&mapping(), &schema).is_empty());
    assert!(client.last_complexity().is_some(), "the budget is reported");

    let plain = client.board_schema(PLAIN_BOARD).expect("plain board");
    assert!(plain.subitems.is_none());
    let missing = client.board_schema("4999999999").unwrap_err();
    assert!(
        matches!(&missing, MondayError::Rejected { code, .. } if code == "InvalidBoardIdException"),
        "{missing:?}"
    );
}

#[test]
fn a_wrong_column_id_or_type_is_reported_in_words() {
    let emu = start();
    let (client, _) = client(&emu);
    let schema = client.board_schema(BOARD).expect("schema");

    let mut m = mapping();
    m.item.po_number = "text_po_typo".into();
    m.subitem.rate = ACCOUNT.into(); // a text column for a number, and shared with the account
    m.subitem.due_date = HOURS.into(); // a numbers column for a date
    m.item.tax_form_link = TOTAL.into(); // a numbers column for a link
    m.item.contact_link = None; // optional
    let problems = validate(&m, &schema);
    let kinds: Vec<(Option<Field>, &ProblemKind)> =
        problems.iter().map(|p| (p.field, &p.kind)).collect();
    assert_eq!(problems.len(), 5, "{problems:#?}");
    assert_eq!(
        kinds[0],
        (Some(Field::PoNumber), &ProblemKind::MissingColumn)
    );
    assert!(matches!(
        kinds[1],
        (Some(Field::TaxFormLink), ProblemKind::WrongType { column_type, .. }) if column_type == "numbers"
    ));
    assert!(matches!(
        kinds[2],
        (Some(Field::Rate), ProblemKind::WrongType { column_type, .. }) if column_type == "text"
    ));
    assert!(matches!(
        kinds[3],
        (Some(Field::DueDate), ProblemKind::WrongType { column_type, .. }) if column_type == "numbers"
    ));
    assert_eq!(
        kinds[4],
        (
            Some(Field::AccountCode),
            &ProblemKind::SharedColumn { other: Field::Rate }
        )
    );
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text[0],
        "PO number: there is no column with id \"text_po_typo\" on the board"
    );
    assert_eq!(
        text[1],
        "Tax form link: column \"Total\" (numeric_total) is of type numbers; it needs a Link column"
    );
    assert_eq!(
        text[3],
        "Due date: column \"Hours\" (numeric_hours) is of type numbers; it needs a Date column"
    );
    assert!(text[4].contains("also chosen for Rate"), "{}", text[4]);

    // A sync cannot be set up with such a mapping.
    let err = BoardSync::connect(&client, &m).unwrap_err();
    assert!(matches!(err, SetupError::Mapping(ref p) if p.len() == 5));
    assert!(err.to_string().contains("PO number: there is no column"));
}

#[test]
fn a_board_without_subitems_or_another_board_is_reported() {
    let emu = start();
    let (client, _) = client(&emu);
    let plain = client.board_schema(PLAIN_BOARD).expect("schema");
    let mut m = mapping();
    m.board_id = PLAIN_BOARD.into();
    let problems = validate(&m, &plain);
    assert!(problems
        .iter()
        .any(|p| p.kind == ProblemKind::NoSubitemsBoard));
    assert!(problems
        .iter()
        .any(|p| p.to_string().contains("add one subitem")));

    let schema = client.board_schema(BOARD).expect("schema");
    let problems = validate(&m, &schema);
    assert_eq!(problems.len(), 1);
    assert!(matches!(problems[0].kind, ProblemKind::WrongBoard { .. }));

    let mut empty = mapping();
    empty.item.description = " ".into();
    let problems = validate(&empty, &schema);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].to_string(), "Description: no column chosen");
}
