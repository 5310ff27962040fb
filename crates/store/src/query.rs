//! Reading the event log: filtered pages (newest first), counts and the filter facets.

use boxkeeper_events::{Event, EventKind};
use boxkeeper_naming::ParsedPath;
use rusqlite::types::Value;

use crate::{Result, Store};

/// One recorded event with the fields parsed from its path.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    pub seq: i64,
    pub at_ms: i64,
    pub event: Event,
    pub parsed: ParsedPath,
}

/// Which events to show. `None` means any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub project: Option<String>,
    /// A PO as "<project>_<po>", e.g. "2416_23".
    pub po: Option<String>,
    pub vendor: Option<String>,
    pub document_type: Option<String>,
    pub kind: Option<EventKind>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectFacet {
    pub number: String,
    pub name: Option<String>,
}

/// The distinct values the filters offer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facets {
    pub projects: Vec<ProjectFacet>,
    pub pos: Vec<String>,
    pub vendors: Vec<String>,
    pub document_types: Vec<String>,
    pub kinds: Vec<EventKind>,
}

impl EventFilter {
    /// The WHERE clause (after `source_id = ?1`) and its parameters.
    fn sql(&self, source: i64) -> (String, Vec<Value>) {
        let mut clause = String::from("source_id = ?");
        let mut params: Vec<Value> = vec![Value::Integer(source)];
        let mut add = |sql: &str, v: &str| {
            clause.push_str(" AND ");
            clause.push_str(sql);
            params.push(Value::Text(v.to_string()));
        };
        if let Some(p) = &self.project {
            add("project_number = ?", p);
        }
        if let Some(po) = &self.po {
            match po.split_once('_') {
                Some((project, number)) => {
                    add("project_number = ?", project);
                    add("po_number = ?", number);
                }
                None => add("po_number = ?", po),
            }
        }
        if let Some(v) = &self.vendor {
            add("vendor_name = ?", v);
        }
        if let Some(d) = &self.document_type {
            add("document_type = ?", d);
        }
        if let Some(k) = self.kind {
            add("kind = ?", k.as_str());
        }
        (clause, params)
    }
}

const EVENT_COLUMNS: &str = "seq, at_ms, kind, path, old_path, entry_id, descendants,
    project_number, project_name, po_number, vendor_name, vendor_type, document_type,
    file_number, problems";

fn event_row(r: &rusqlite::Row) -> rusqlite::Result<StoredEvent> {
    let kind: String = r.get(2)?;
    let vendor_type: Option<String> = r.get(11)?;
    let document_type: Option<String> = r.get(12)?;
    let problems: Option<String> = r.get(14)?;
    Ok(StoredEvent {
        seq: r.get(0)?,
        at_ms: r.get(1)?,
        event: Event {
            kind: EventKind::parse(&kind).unwrap_or(EventKind::FileAdded),
            path: r.get(3)?,
            old_path: r.get(4)?,
            id: r.get(5)?,
            descendants: r.get(6)?,
        },
        parsed: ParsedPath {
            project_number: r.get(7)?,
            project_name: r.get(8)?,
            po_number: r.get(9)?,
            vendor_name: r.get(10)?,
            vendor_type: vendor_type.and_then(|v| v.parse().ok()),
            document_type: document_type.and_then(|d| d.parse().ok()),
            file_number: r.get(13)?,
            problems: problems
                .and_then(|p| serde_json::from_str(&p).ok())
                .unwrap_or_default(),
        },
    })
}

impl Store {
    /// A page of events, newest first.
    pub fn events(
        &self,
        source: i64,
        filter: &EventFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<StoredEvent>> {
        let (clause, mut params) = filter.sql(source);
        params.push(Value::Integer(limit as i64));
        params.push(Value::Integer(offset as i64));
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE {clause} ORDER BY seq DESC LIMIT ? OFFSET ?"
        ))?;
        let rows = st.query_map(rusqlite::params_from_iter(params), event_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every event of a source (or of every source) in the order recorded.
    pub fn all_events(&self, source: Option<i64>) -> Result<Vec<StoredEvent>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE ?1 IS NULL OR source_id = ?1 ORDER BY seq"
        ))?;
        let rows = st.query_map([source], event_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn count_events(&self, source: i64, filter: &EventFilter) -> Result<u64> {
        let (clause, params) = filter.sql(source);
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM events WHERE {clause}"))?;
        Ok(st.query_row(rusqlite::params_from_iter(params), |r| r.get::<_, i64>(0))? as u64)
    }

    pub fn facets(&self, source: i64) -> Result<Facets> {
        let strings = |sql: &str| -> Result<Vec<String>> {
            let mut st = self.conn.prepare_cached(sql)?;
            let rows = st.query_map([source], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        };
        let mut st = self.conn.prepare_cached(
            "SELECT project_number, max(project_name) FROM events
             WHERE source_id = ?1 AND project_number IS NOT NULL
             GROUP BY project_number ORDER BY project_number",
        )?;
        let projects = st
            .query_map([source], |r| {
                Ok(ProjectFacet {
                    number: r.get(0)?,
                    name: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Facets {
            projects,
            pos: strings(
                "SELECT DISTINCT project_number || '_' || po_number FROM events
                 WHERE source_id = ?1 AND project_number IS NOT NULL AND po_number IS NOT NULL
                 ORDER BY 1",
            )?,
            vendors: strings(
                "SELECT DISTINCT vendor_name FROM events
                 WHERE source_id = ?1 AND vendor_name IS NOT NULL ORDER BY vendor_name COLLATE NOCASE",
            )?,
            document_types: strings(
                "SELECT DISTINCT document_type FROM events
                 WHERE source_id = ?1 AND document_type IS NOT NULL ORDER BY 1",
            )?,
            kinds: strings("SELECT DISTINCT kind FROM events WHERE source_id = ?1 ORDER BY 1")?
                .iter()
                .filter_map(|k| EventKind::parse(k))
                .collect(),
        })
    }
}
