//! Following a Dropbox folder from the workspace (`boxkeeper sync`): the change feed of
//! boxkeeper-dropbox into the workspace's database, with the rules in force.

use boxkeeper_dropbox::{AccessToken, ChangeFeed, Client, Endpoints, RetryPolicy};
use boxkeeper_store::SourceKind;

use crate::dto::EventRow;
use crate::{ApiError, Result, Workspace};

/// Where and what to follow. The token is the user's; it is never logged.
#[derive(Clone)]
pub struct DropboxSettings {
    pub api_base: String,
    pub notify_base: String,
    /// The folder followed, "" for the whole Dropbox.
    pub folder: String,
    pub token: AccessToken,
}

impl Workspace {
    /// Syncs the Dropbox folder: the first listing, or the changes since the stored cursor.
    /// With `follow`, then waits for changes (longpoll) and syncs again, until an error.
    /// `on_events` sees each batch of new events.
    pub fn dropbox_sync(
        &self,
        settings: &DropboxSettings,
        follow: bool,
        mut on_events: impl FnMut(&[EventRow]),
    ) -> Result<()> {
        let client = Client::new(
            Endpoints {
                api: settings.api_base.trim_end_matches('/').to_string(),
                notify: settings.notify_base.trim_end_matches('/').to_string(),
            },
            settings.token.clone(),
        );
        let location = format!(
            "{}{}",
            settings.api_base.trim_end_matches('/'),
            settings.folder
        );
        let mut store = boxkeeper_store::Store::open(&self.paths().db)?;
        let source = store.source_id(SourceKind::Dropbox, &location)?;
        let rules = self.rules();
        let feed = ChangeFeed {
            client: &client,
            source,
            path: settings.folder.clone(),
            rules: &rules,
            retry: RetryPolicy::default(),
        };
        loop {
            let report = feed.sync(&mut store).map_err(ApiError::Dropbox)?;
            tracing::info!(
                pages = report.pages,
                entries = report.entries,
                events = report.events,
                relisted = report.relisted,
                "synced"
            );
            if report.events > 0 {
                let rows: Vec<EventRow> = store
                    .events(
                        source,
                        &Default::default(),
                        0,
                        (report.events as u64).min(10_000),
                    )?
                    .into_iter()
                    .rev()
                    .map(Into::into)
                    .collect();
                on_events(&rows);
            }
            if !follow {
                return Ok(());
            }
            while !feed
                .wait_for_changes(&store, 30)
                .map_err(ApiError::Dropbox)?
            {}
        }
    }
}
