//! The PO view: every purchase order found in the documents' paths, with its vendor, vendor
//! type, documents, invoiced and received totals, and its status by domain.md's rules (a card
//! or petty-cash PO is "CC / PC"; a vendor PO is "Tax Form Needed" until a W9 or W8 is on
//! file, then "Needs Verification" until a person verifies that form, then "Approved").
//! A person may override the status and the vendor type; the override wins and is shown as
//! such. Verifying records which form was verified, so a newer form asks again.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::{Result, Store, StoreError};

/// The PO statuses of domain.md, as the board shows them.
pub const PO_STATUSES: &[&str] = &[
    "CC / PC",
    "Approved",
    "Tax Form Needed",
    "Needs Verification",
];

/// Totals of one currency ("" when the documents did not say it), in cents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PoTotals {
    pub currency: String,
    /// The invoices' totals.
    pub invoiced_cents: i64,
    /// The receipts' totals (card and petty-cash spending; refunds are negative).
    pub received_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurchaseOrder {
    pub source_id: i64,
    pub project_number: String,
    pub project_name: Option<String>,
    pub po_number: String,
    /// The PO folder's vendor.
    pub vendor: Option<String>,
    /// vendor, cc or pc: the person's choice when set, else what the path says.
    pub vendor_type: Option<String>,
    pub vendor_type_by_person: bool,
    pub status: String,
    pub status_by_person: bool,
    /// Why the rules gave this status (shown beside it).
    pub status_reason: String,
    pub documents: u32,
    pub invoices: u32,
    pub receipts: u32,
    pub tax_forms: u32,
    pub to_review: u32,
    pub flagged: u32,
    pub totals: Vec<PoTotals>,
    /// The PO folder's Dropbox share link, once made (Dropbox sources only).
    pub folder_link: Option<String>,
}

#[derive(Default)]
struct Override {
    status: Option<String>,
    vendor_type: Option<String>,
    verified_form: Option<i64>,
}

impl Store {
    /// Every PO of `source` with its figures, by project and PO number.
    pub fn purchase_orders(&self, source: i64) -> Result<Vec<PurchaseOrder>> {
        let mut overrides = std::collections::HashMap::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT project_number, po_number, status, vendor_type, verified_form_id
                 FROM po_overrides WHERE source_id = ?1",
            )?;
            let rows = stmt.query_map([source], |r| {
                Ok((
                    (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                    Override {
                        status: r.get(2)?,
                        vendor_type: r.get(3)?,
                        verified_form: r.get(4)?,
                    },
                ))
            })?;
            for row in rows {
                let (key, o) = row?;
                overrides.insert(key, o);
            }
        }
        let mut totals: std::collections::HashMap<(String, String), Vec<PoTotals>> =
            std::collections::HashMap::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT project_number, po_number, coalesce(currency, ''),
                   coalesce(sum(CASE WHEN name_type = 'INVOICE' THEN total_cents END), 0),
                   coalesce(sum(CASE WHEN name_type = 'RECEIPT' THEN total_cents END), 0)
                 FROM documents WHERE source_id = ?1 AND deleted_ms IS NULL
                   AND project_number IS NOT NULL AND po_number IS NOT NULL
                   AND total_cents IS NOT NULL
                 GROUP BY 1, 2, 3",
            )?;
            let rows = stmt.query_map([source], |r| {
                Ok((
                    (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                    PoTotals {
                        currency: r.get(2)?,
                        invoiced_cents: r.get(3)?,
                        received_cents: r.get(4)?,
                    },
                ))
            })?;
            for row in rows {
                let (key, t) = row?;
                totals.entry(key).or_default().push(t);
            }
        }
        let mut stmt = self.conn.prepare(
            "SELECT project_number, max(project_name), po_number, max(po_vendor),
               max(vendor_type), count(*),
               sum(name_type = 'INVOICE'), sum(name_type = 'RECEIPT'),
               sum(name_type IN ('W9', 'W8-BEN', 'W8-BEN-E')),
               max(CASE WHEN name_type IN ('W9', 'W8-BEN', 'W8-BEN-E') THEN id END),
               sum(review = 'to_review'),
               sum(EXISTS (SELECT 1 FROM flags f WHERE f.document_id = d.id
                             AND f.dismissed_ms IS NULL)),
               (SELECT link FROM po_links l WHERE l.source_id = ?1
                  AND l.project_number = d.project_number AND l.po_number = d.po_number)
             FROM documents d WHERE source_id = ?1 AND deleted_ms IS NULL
               AND project_number IS NOT NULL AND po_number IS NOT NULL
             GROUP BY project_number, po_number
             ORDER BY CAST(project_number AS INTEGER), project_number,
               CAST(po_number AS INTEGER), po_number",
        )?;
        let rows = stmt.query_map([source], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                [
                    r.get::<_, u32>(5)?,
                    r.get::<_, u32>(6)?,
                    r.get::<_, u32>(7)?,
                    r.get::<_, u32>(8)?,
                    r.get::<_, u32>(10)?,
                    r.get::<_, u32>(11)?,
                ],
                r.get::<_, Option<i64>>(9)?,
                r.get::<_, Option<String>>(12)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (project, project_name, po, vendor, parsed_type, counts, newest_form, folder_link) =
                row?;
            let key = (project.clone(), po.clone());
            let o = overrides.remove(&key).unwrap_or_default();
            let vendor_type = o.vendor_type.clone().or(parsed_type);
            let [documents, invoices, receipts, tax_forms, to_review, flagged] = counts;
            let (rule_status, reason) = match vendor_type.as_deref() {
                Some("cc") => ("CC / PC", "a card PO".to_string()),
                Some("pc") => ("CC / PC", "a petty-cash PO".to_string()),
                _ => match (newest_form, o.verified_form) {
                    (None, _) => ("Tax Form Needed", "no W9 or W8 on file".to_string()),
                    (Some(form), Some(verified)) if verified >= form => {
                        ("Approved", "the tax form on file is verified".to_string())
                    }
                    (Some(_), _) => (
                        "Needs Verification",
                        "a tax form arrived; a person has not verified it".to_string(),
                    ),
                },
            };
            out.push(PurchaseOrder {
                source_id: source,
                project_number: project,
                project_name,
                po_number: po,
                vendor,
                vendor_type_by_person: o.vendor_type.is_some(),
                vendor_type,
                status_by_person: o.status.is_some(),
                status_reason: if o.status.is_some() {
                    format!("set by hand (the rules say {rule_status}: {reason})")
                } else {
                    reason
                },
                status: o.status.unwrap_or_else(|| rule_status.to_string()),
                documents,
                invoices,
                receipts,
                tax_forms,
                to_review,
                flagged,
                totals: totals.remove(&key).unwrap_or_default(),
                folder_link,
            });
        }
        Ok(out)
    }

    /// A person's status for a PO (None: the rules decide again).
    pub fn set_po_status(
        &mut self,
        source: i64,
        project: &str,
        po: &str,
        status: Option<&str>,
        now: i64,
    ) -> Result<()> {
        if let Some(s) = status.filter(|s| !PO_STATUSES.contains(s)) {
            return Err(StoreError::Invalid(format!(
                "\"{s}\" is not a PO status ({})",
                PO_STATUSES.join(", ")
            )));
        }
        self.upsert_override(
            source,
            project,
            po,
            "status",
            status.map(str::to_string),
            now,
        )
    }

    /// A person's vendor type for a PO (None: the path decides again).
    pub fn set_po_vendor_type(
        &mut self,
        source: i64,
        project: &str,
        po: &str,
        vendor_type: Option<&str>,
        now: i64,
    ) -> Result<()> {
        if let Some(t) = vendor_type.filter(|t| !["vendor", "cc", "pc"].contains(t)) {
            return Err(StoreError::Invalid(format!(
                "\"{t}\" is not a vendor type (vendor, cc, pc)"
            )));
        }
        self.upsert_override(
            source,
            project,
            po,
            "vendor_type",
            vendor_type.map(str::to_string),
            now,
        )?;
        // The PO's tax-form flags follow its type.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let docs: Vec<i64> = tx
            .prepare(
                "SELECT id FROM documents WHERE source_id = ?1 AND project_number = ?2
                   AND po_number = ?3",
            )?
            .query_map(params![source, project, po], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        crate::flags::refresh_flags(&tx, &docs, now)?;
        tx.commit()?;
        Ok(())
    }

    /// A person verified the PO's tax form: the newest form on file now counts as verified.
    pub fn verify_tax_form(
        &mut self,
        source: i64,
        project: &str,
        po: &str,
        now: i64,
    ) -> Result<()> {
        let newest: Option<i64> = self
            .conn
            .query_row(
                "SELECT max(id) FROM documents WHERE source_id = ?1 AND project_number = ?2
                   AND po_number = ?3 AND deleted_ms IS NULL
                   AND name_type IN ('W9', 'W8-BEN', 'W8-BEN-E')",
                params![source, project, po],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let Some(form) = newest else {
            return Err(StoreError::Invalid(format!(
                "PO {project}_{po} has no W9 or W8 on file to verify"
            )));
        };
        self.conn.execute(
            "INSERT INTO po_overrides (source_id, project_number, po_number, verified_form_id,
               updated_ms) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (source_id, project_number, po_number) DO UPDATE SET
               verified_form_id = excluded.verified_form_id, updated_ms = excluded.updated_ms",
            params![source, project, po, form, now],
        )?;
        Ok(())
    }

    fn upsert_override(
        &mut self,
        source: i64,
        project: &str,
        po: &str,
        column: &str,
        value: Option<String>,
        now: i64,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // `column` is one of two names chosen above, never user input.
        tx.execute(
            &format!(
                "INSERT INTO po_overrides (source_id, project_number, po_number, {column},
                   updated_ms) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (source_id, project_number, po_number) DO UPDATE SET
                   {column} = excluded.{column}, updated_ms = excluded.updated_ms"
            ),
            params![source, project, po, value, now],
        )?;
        tx.commit()?;
        Ok(())
    }
}
