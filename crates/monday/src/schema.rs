//! A board's schema as monday.com reports it: its columns (id, title, type, settings) and
//! groups, and the subitems board that the parent board's `subtasks` column names in its
//! `settings_str.boardIds`, with that board's columns. Read once per sync run; the mapping
//! is validated against it.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::client::Client;
use crate::error::MondayError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub id: String,
    pub title: String,
    /// monday's column type (`text`, `long_text`, `numbers`, `status`, `date`, `link`,
    /// `subtasks`...; boards created long ago may say `color` for status).
    #[serde(rename = "type")]
    pub kind: String,
    /// The column's settings as a JSON string (status labels, a subtasks column's boards).
    #[serde(default)]
    pub settings_str: String,
}

impl Column {
    /// The board ids in `settings_str.boardIds` (a subtasks or connect-boards column).
    pub fn linked_board_ids(&self) -> Vec<String> {
        let settings: Value = serde_json::from_str(&self.settings_str).unwrap_or(Value::Null);
        settings
            .get("boardIds")
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(|v| match v {
                        Value::Number(n) => Some(n.to_string()),
                        Value::String(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub id: String,
    pub name: String,
    pub columns: Vec<Column>,
    pub groups: Vec<Group>,
}

impl Board {
    pub fn column(&self, id: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.id == id)
    }
}

/// The PO board and, when it has subitems, their board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardSchema {
    pub board: Board,
    /// None while the board has no `subtasks` column (no subitem was ever added).
    pub subitems: Option<Board>,
}

impl BoardSchema {
    /// The group an item of project number `project` belongs in: the first (in board
    /// order) whose title starts with the number and does not go on with another digit, so
    /// "2416 - Whop Keynote" and "2416_Whop" take 2416 but "24160 X" does not.
    pub fn group_for_project(&self, project: &str) -> Option<&Group> {
        let project = project.trim();
        if project.is_empty() {
            return None;
        }
        self.board.groups.iter().find(|g| {
            g.title
                .trim_start()
                .strip_prefix(project)
                .is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_digit()))
        })
    }
}

const BOARD_QUERY: &str = "query BoardSchema($board: [ID!]) {
  complexity { before after reset_in_x_seconds }
  boards(ids: $board) {
    id name
    columns { id title type settings_str }
    groups { id title }
  }
}";

fn read_board(client: &Client, board_id: &str) -> Result<Option<Board>, MondayError> {
    let data = client.query("board_schema", BOARD_QUERY, json!({"board": [board_id]}))?;
    let boards = data.get("boards").cloned().unwrap_or(Value::Null);
    let boards: Vec<Option<Board>> = serde_json::from_value(boards)
        .map_err(|e| MondayError::UnexpectedAnswer(format!("boards: {e}")))?;
    Ok(boards.into_iter().flatten().next())
}

impl Client {
    /// Reads board `board_id` and its subitems board. A board that does not exist (or that
    /// the token's user cannot see) is `Rejected` with code `InvalidBoardIdException`.
    pub fn board_schema(&self, board_id: &str) -> Result<BoardSchema, MondayError> {
        let Some(board) = read_board(self, board_id)? else {
            return Err(MondayError::Rejected {
                code: "InvalidBoardIdException".into(),
                message: format!("board {board_id} was not found (or this account cannot see it)"),
            });
        };
        let sub_id = board
            .columns
            .iter()
            .filter(|c| c.kind == "subtasks")
            .flat_map(Column::linked_board_ids)
            .next();
        let subitems = match sub_id {
            Some(id) => read_board(self, &id)?,
            None => None,
        };
        Ok(BoardSchema { board, subitems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(groups: &[&str]) -> BoardSchema {
        BoardSchema {
            board: Board {
                id: "1".into(),
                name: "POs".into(),
                columns: vec![],
                groups: groups
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Group {
                        id: format!("g{i}"),
                        title: t.to_string(),
                    })
                    .collect(),
            },
            subitems: None,
        }
    }

    #[test]
    fn the_group_title_starts_with_the_whole_project_number() {
        let s = schema(&[
            "Archive",
            "24160 Other",
            "2416 - Whop Keynote",
            "2416_again",
        ]);
        assert_eq!(
            s.group_for_project("2416").map(|g| g.id.as_str()),
            Some("g2")
        );
        assert_eq!(
            s.group_for_project("24160").map(|g| g.id.as_str()),
            Some("g1")
        );
        assert!(s.group_for_project("241").is_none());
        assert!(s.group_for_project("").is_none());
        assert!(s.group_for_project("9999").is_none());
    }

    #[test]
    fn subtasks_settings_name_the_subitems_board() {
        let c = Column {
            id: "subitems".into(),
            title: "Subitems".into(),
            kind: "subtasks".into(),
            settings_str: r#"{"allowMultipleItems":true,"boardIds":[1234567999]}"#.into(),
        };
        assert_eq!(c.linked_board_ids(), vec!["1234567999".to_string()]);
    }
}
