//! `boxkeeper`: the desktop app's core without a window. Each subcommand is a thin call into
//! boxkeeper-api, so what the CLI does is what the app does. Logs go to stderr; results go
//! to stdout (one JSON object per line where `--json` or the command says so).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use boxkeeper_api::dto::EventRow;
use boxkeeper_api::{parse_paths, DataPaths, Notice, Workspace};
use boxkeeper_naming::{PathKind, PathRules};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "boxkeeper",
    version,
    about = "Boxkeeper's core on the command line"
)]
struct Cli {
    /// The database (default: the desktop app's own, in its data folder).
    #[arg(long, global = true, value_name = "FILE")]
    db: Option<PathBuf>,
    /// The naming rules file (default: the one in the data folder).
    #[arg(long, global = true, value_name = "FILE")]
    rules: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse paths by the naming convention; prints one JSON object per path.
    ParsePath {
        /// Whether the paths are files or folders (default: a last segment with an extension is a file).
        #[arg(long, value_enum)]
        kind: Option<Kind>,
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<String>,
    },
    /// Watch a folder and record its events (Ctrl-C to stop).
    Watch {
        folder: PathBuf,
        /// Scan, record what changed since last time, and exit.
        #[arg(long)]
        once: bool,
    },
    /// Extract invoice fields from documents (PDF, PNG, JPEG, TIFF, BMP): the embedded
    /// e-invoice if there is one, else the text layer, else OCR.
    Extract {
        /// Ignore an embedded e-invoice (Factur-X, ZUGFeRD, XRechnung) and read the text.
        #[arg(long)]
        no_embedded: bool,
        /// OCR every page, even those with a text layer.
        #[arg(long)]
        ocr: bool,
        /// Tesseract languages for OCR, e.g. "eng+deu".
        #[arg(long, default_value = "eng")]
        lang: String,
        /// One JSON object per file instead of a summary.
        #[arg(long)]
        json: bool,
        /// Also ask the LLM configured with `boxkeeper llm` and merge its answer.
        #[arg(long)]
        llm: bool,
        /// How to read 05/06/2018 when the document does not tell: us (month first) or
        /// european (day first). Default: from LC_ALL / LC_TIME / LANG.
        #[arg(long, value_enum)]
        locale: Option<DateLocale>,
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Configure the optional LLM extractor: any OpenAI-compatible server. The API key is
    /// read from the environment variable named by --key-env (never from the command line)
    /// and kept in the system keyring. Without options, prints the settings.
    Llm {
        /// The API base including /v1 (https://api.openai.com/v1, http://127.0.0.1:11434/v1).
        #[arg(long)]
        base: Option<String>,
        #[arg(long)]
        model: Option<String>,
        /// JSON mode instead of structured output (for servers without JSON Schema support).
        #[arg(long)]
        json_mode: bool,
        /// The environment variable that holds the API key, e.g. OPENAI_API_KEY.
        #[arg(long, value_name = "VAR")]
        key_env: Option<String>,
        /// Turn the LLM off (the key is forgotten).
        #[arg(long)]
        off: bool,
    },
    /// Connect a Dropbox account: prints the authorize page's URL; then either paste the
    /// code Dropbox shows, or (with --port) approve in the browser and the redirect to
    /// 127.0.0.1 finishes it. The refresh token goes to the system keyring (else a private
    /// file in the data folder); no token is ever printed.
    Connect {
        /// The app key of your Dropbox app (its console, "App key"). Default: the saved one.
        #[arg(long)]
        app_key: Option<String>,
        /// Wait for the browser on http://127.0.0.1:PORT/callback (register that exact URI
        /// in your Dropbox app); without it, paste the code.
        #[arg(long)]
        port: Option<u16>,
        /// Follow the team space root (Dropbox-API-Path-Root) instead of your home folder.
        #[arg(long)]
        team_space: bool,
        /// The folder to follow, e.g. "/2024" (default: all of it).
        #[arg(long, default_value = "")]
        folder: String,
        #[command(flatten)]
        hosts: Hosts,
    },
    /// Revoke the Dropbox connection and forget its token. Recorded events stay.
    Disconnect,
    /// Follow the connected Dropbox: list it once, then record its changes (Ctrl-C to
    /// stop). BOXKEEPER_DROPBOX_TOKEN, if set, is used as the access token instead of the
    /// stored connection (a token generated in your app's console); it is never printed.
    Sync {
        /// The folder to follow (default: the one saved by `connect`).
        #[arg(long)]
        folder: Option<String>,
        /// Sync once and exit.
        #[arg(long)]
        once: bool,
        /// Print the new events as JSON lines.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        hosts: Hosts,
    },
    /// Print the documents and where each is in extraction (queued, extracting, done,
    /// failed and why), oldest first.
    Documents {
        /// First read every queued document (in the foreground), then print.
        #[arg(long)]
        run: bool,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print one document: its fields (value, confidence, provenance), line items and the
    /// history of every change, as JSON.
    Document { id: i64 },
    /// Export documents as CSV (RFC 4180, UTF-8): one row per document (--documents) or per
    /// line item (--lines). Without --state, every document. What is written is marked
    /// Exported (undo with `boxkeeper undo-export ID`) unless --no-mark.
    Export {
        /// generic (every field), xero (Xero's bill import), qbo (QuickBooks Online's).
        #[arg(long, value_enum, default_value = "generic")]
        format: ExportFormat,
        /// One row per line item, the document's fields repeated.
        #[arg(long, conflicts_with = "documents")]
        lines: bool,
        /// One row per document (the default).
        #[arg(long)]
        documents: bool,
        /// Only documents in this review state.
        #[arg(long, value_enum)]
        state: Option<ReviewStateArg>,
        /// Only documents of this project number.
        #[arg(long)]
        project: Option<String>,
        /// Dates as iso (yyyy-mm-dd), us (MM/DD/YYYY) or european (DD/MM/YYYY).
        #[arg(long, value_enum, default_value = "iso")]
        dates: ExportDateStyle,
        /// Start with a byte-order mark (for Excel).
        #[arg(long)]
        bom: bool,
        /// Do not mark the exported documents Exported.
        #[arg(long)]
        no_mark: bool,
        /// The file to write (atomically: never half-written).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// Undo an export: its documents go back to the review state they had.
    UndoExport { id: i64 },
    /// Read a PO log exported by the budgeting software (PO_LOG_<project>-...txt) and compare
    /// each PO's actualized amount with its invoice lines in the database: RTP within a
    /// cent, else PO Log Mismatch with both amounts. Malformed rows are reported by line.
    /// Prints one JSON object: rows, problems, reconciliation.
    PoLog { file: PathBuf },
    /// Queue documents to be read again, even bytes read before. Corrections stay.
    Reextract {
        #[arg(required = true)]
        ids: Vec<i64>,
    },
    /// Correct a field by hand (vendor_name, invoice_number, invoice_date, due_date,
    /// currency, subtotal, tax, total, po_number, description). No later extraction
    /// overwrites it.
    Correct {
        id: i64,
        field: String,
        value: String,
    },
    /// Drop a correction: the extracted value is in force again.
    Revert { id: i64, field: String },
    /// Print what vendor memory remembers (a person's vendor name spellings, descriptions
    /// and account codes, per vendor), or forget one value.
    Memory {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<MemoryAction>,
    },
    /// The Monday.com board sync: settings, one pass, status. The API token is read from
    /// $BOXKEEPER_MONDAY_TOKEN (never from the command line) and kept in the system keyring.
    Monday {
        #[command(subcommand)]
        action: MondayAction,
    },
    /// Print the stored events, oldest first.
    Events {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum MemoryAction {
    /// Forget a remembered value (ID from `boxkeeper memory`); its suggestions go with it.
    Forget { id: i64 },
}

#[derive(Subcommand)]
enum MondayAction {
    /// Save settings (only those given); prints them. $BOXKEEPER_MONDAY_TOKEN, when set,
    /// replaces the stored token.
    Set {
        /// The GraphQL endpoint (default https://api.monday.com/v2).
        #[arg(long)]
        api_url: Option<String>,
        /// The board id (the digits after /boards/ in its address).
        #[arg(long)]
        board: Option<String>,
        /// A field's column, FIELD=COLUMN_ID (fields: project, po_number, description,
        /// status, tax_form_link, folder_link, contact_link, line_status, file_number,
        /// line_description, quantity, rate, date, due_date, account_code, file_link).
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        /// Let the app sync in the background.
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
    },
    /// Sync the POs whose data changed (or whose retry is due); prints each PO's outcome.
    Sync {
        /// One pass, then exit (without it: a pass a minute until Ctrl-C).
        #[arg(long)]
        once: bool,
        /// One JSON object per PO instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print where each PO stands with the board.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Send failed POs again: all of them, or one (PROJECT PO).
    Retry {
        project: Option<String>,
        po: Option<String>,
    },
}

/// Other servers instead of Dropbox's (the emulator, for tests). Saved by `connect`.
#[derive(clap::Args, Clone, Debug, Default)]
struct Hosts {
    /// Every host below (and the authorize page) at one base URL.
    #[arg(long, value_name = "URL")]
    base: Option<String>,
    /// The API host (default https://api.dropboxapi.com).
    #[arg(long, value_name = "URL")]
    api_base: Option<String>,
    /// The content host (default https://content.dropboxapi.com).
    #[arg(long, value_name = "URL")]
    content_base: Option<String>,
    /// The longpoll host (default https://notify.dropboxapi.com).
    #[arg(long, value_name = "URL")]
    notify_base: Option<String>,
}

impl Hosts {
    fn overrides(&self) -> boxkeeper_api::DropboxOverrides {
        let pick = |one: &Option<String>| one.clone().or_else(|| self.base.clone());
        boxkeeper_api::DropboxOverrides {
            api_base: pick(&self.api_base),
            content_base: pick(&self.content_base),
            notify_base: pick(&self.notify_base),
            ..Default::default()
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum DateLocale {
    Us,
    European,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    File,
    Folder,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            boxkeeper_api::LOG_CAPS.iter().fold(
                tracing_subscriber::EnvFilter::try_from_env("BOXKEEPER_LOG")
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
                |filter, cap| filter.add_directive(cap.parse().expect("a valid directive")),
            ),
        )
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`boxkeeper events | head`) is not an error worth a message.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("boxkeeper: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn data_paths(cli: &Cli) -> DataPaths {
    let mut paths = DataPaths::default_paths();
    if let Some(db) = &cli.db {
        paths = paths.with_db(db);
    }
    if let Some(rules) = &cli.rules {
        paths = paths.with_rules(rules);
    }
    paths
}

fn run(cli: Cli) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match &cli.command {
        Command::ParsePath { kind, paths } => {
            // Parsing needs no database: only the rules (the file if given, else the defaults
            // or the data folder's file when it exists).
            let rules = match &cli.rules {
                Some(file) => PathRules::load(file)
                    .map_err(|e| anyhow::anyhow!("naming rules {}: {e}", file.display()))?,
                None => {
                    let file = DataPaths::default_paths().rules;
                    if file.exists() {
                        PathRules::load(&file)
                            .map_err(|e| anyhow::anyhow!("naming rules {}: {e}", file.display()))?
                    } else {
                        PathRules::defaults()
                    }
                }
            };
            let kind = kind.map(|k| match k {
                Kind::File => PathKind::File,
                Kind::Folder => PathKind::Folder,
            });
            for parsed in parse_paths(&rules, paths, kind) {
                serde_json::to_writer(&mut out, &parsed)?;
                writeln!(out)?;
            }
        }
        Command::Watch { folder, once } => {
            let paths = data_paths(&cli);
            if *once {
                let ws = Workspace::open(paths, |_| {})?;
                let report = ws.scan_once(folder)?;
                for row in &report.events {
                    log_event(row);
                }
                tracing::info!(
                    files = report.stats.files,
                    folders = report.stats.folders,
                    unreadable = report.stats.unreadable,
                    events = report.events.len(),
                    "scan recorded"
                );
            } else {
                let ws = Workspace::open(paths, |notice| match notice {
                    Notice::FeedChanged { rows, .. } => rows.iter().for_each(log_event),
                    Notice::StatusChanged(status) => {
                        tracing::info!(state = ?status.state, error = status.last_error, "source")
                    }
                    Notice::DocumentsChanged | Notice::MondayChanged => {}
                })?;
                ws.watch_folder(folder, false)?;
                ws.start_extraction()?;
                // The watcher runs on its own thread until the process is interrupted.
                loop {
                    std::thread::park();
                }
            }
        }
        Command::Extract {
            no_embedded,
            ocr,
            lang,
            json,
            llm,
            locale,
            files,
        } => {
            let opts = boxkeeper_api::ExtractOptions {
                no_embedded: *no_embedded,
                force_ocr: *ocr,
                ocr_lang: lang.clone(),
                locale: Some(match locale {
                    Some(DateLocale::Us) => boxkeeper_api::Locale::Us,
                    Some(DateLocale::European) => boxkeeper_api::Locale::European,
                    None => boxkeeper_api::system_locale(),
                }),
            };
            let ws = if *llm {
                let ws = Workspace::open(data_paths(&cli), |_| {})?;
                if ws.llm_config()?.base_url.is_empty() {
                    anyhow::bail!(
                        "no LLM is configured: `boxkeeper llm --base URL --model NAME` first"
                    );
                }
                Some(ws)
            } else {
                None
            };
            let mut failed = 0;
            for file in files {
                let output = match &ws {
                    Some(ws) => ws.extract_file_with_llm(file, &opts)?,
                    None => boxkeeper_api::extract_file(file, &opts),
                };
                if !output.was_read() {
                    failed += 1;
                }
                if *json {
                    serde_json::to_writer(&mut out, &output)?;
                    writeln!(out)?;
                } else {
                    write_summary(&mut out, &output)?;
                }
            }
            out.flush()?;
            if failed > 0 {
                anyhow::bail!("{failed} of {} files could not be read", files.len());
            }
        }
        Command::Connect {
            app_key,
            port,
            team_space,
            folder,
            hosts,
        } => {
            let ws = Workspace::open(data_paths(&cli), |notice| {
                if let Notice::StatusChanged(status) = notice {
                    tracing::debug!(state = ?status.dropbox.state, "dropbox");
                }
            })?;
            let mut config = ws.dropbox_config()?;
            if let Some(key) = app_key {
                config.app_key = key.clone();
            }
            config.redirect_port = *port;
            config.team_space = *team_space;
            config.folder = folder.clone();
            config.apply(&hosts.overrides());
            let start = ws.dropbox_connect_begin(config, false)?;
            writeln!(out, "{}", start.authorize_url)?;
            out.flush()?;
            if start.waits_for_redirect {
                eprintln!("Open the address above, approve Boxkeeper; waiting for the browser…");
                wait_for_connection(&ws)?;
            } else {
                eprintln!("Open the address above, approve Boxkeeper, then paste the code here:");
                let mut code = String::new();
                std::io::stdin()
                    .read_line(&mut code)
                    .context("cannot read the code")?;
                ws.dropbox_connect_paste(&code)?;
            }
            let status = ws.status()?;
            eprintln!(
                "Connected to Dropbox as {}{}.",
                status.dropbox.account.as_deref().unwrap_or("?"),
                if status.dropbox.team_space {
                    " (team space)"
                } else {
                    ""
                }
            );
            if let Some(warning) = status.dropbox.warning {
                eprintln!("warning: {warning}");
            }
        }
        Command::Disconnect => {
            let ws = Workspace::open(data_paths(&cli), |_| {})?;
            ws.dropbox_disconnect()?;
            let status = ws.status()?;
            if let Some(note) = status.dropbox.message {
                eprintln!("{note}");
            }
            eprintln!("Dropbox disconnected.");
        }
        Command::Sync {
            folder,
            once,
            json,
            hosts,
        } => {
            let mut overrides = hosts.overrides();
            overrides.folder = folder.clone();
            overrides.access_token = std::env::var("BOXKEEPER_DROPBOX_TOKEN")
                .ok()
                .filter(|t| !t.trim().is_empty())
                .map(|t| boxkeeper_api::AccessToken(t.trim().to_string()));
            let print_error: Arc<Mutex<Option<std::io::Error>>> = Arc::default();
            let errors = print_error.clone();
            let json = *json;
            let ws = Workspace::open(data_paths(&cli), move |notice| match notice {
                Notice::FeedChanged { rows, .. } => {
                    let mut out = std::io::stdout().lock();
                    for row in &rows {
                        log_event(row);
                        if json {
                            if let Err(e) = serde_json::to_writer(&mut out, row)
                                .map_err(std::io::Error::from)
                                .and_then(|_| writeln!(out))
                                .and_then(|_| out.flush())
                            {
                                errors
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .get_or_insert(e);
                            }
                        }
                    }
                }
                Notice::StatusChanged(status) => {
                    tracing::debug!(state = ?status.dropbox.state, entries = status.dropbox.entries, "dropbox")
                }
                Notice::DocumentsChanged | Notice::MondayChanged => {}
            })?;
            if !*once {
                ws.start_extraction()?;
            }
            let settings = ws.dropbox_settings(&overrides, None)?;
            let stop = std::sync::atomic::AtomicBool::new(false);
            ws.run_dropbox_feed(&settings, !*once, &stop)?;
            let failed = print_error.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(e) = failed {
                return Err(e.into());
            }
        }
        Command::Llm {
            base,
            model,
            json_mode,
            key_env,
            off,
        } => {
            let ws = Workspace::open(data_paths(&cli), |_| {})?;
            let mut config = ws.llm_config()?;
            let changed =
                base.is_some() || model.is_some() || *json_mode || key_env.is_some() || *off;
            let mut key = None;
            if *off {
                config.base_url.clear();
                config.model.clear();
                key = Some(String::new());
            }
            if let Some(base) = base {
                config.base_url = base.clone();
            }
            if let Some(model) = model {
                config.model = model.clone();
            }
            if *json_mode {
                config.mode = boxkeeper_api::dto::LlmMode::Json;
            }
            if let Some(var) = key_env {
                key = Some(std::env::var(var).with_context(|| format!("${var} is not set"))?);
            }
            if changed {
                config = ws.save_llm_config(&config, key.as_deref())?;
            }
            serde_json::to_writer(&mut out, &config)?;
            writeln!(out)?;
            if let Some(warning) = config.key_warning {
                eprintln!("warning: {warning}");
            }
        }
        Command::Monday { action } => monday(&cli, action, &mut out)?,
        Command::Documents { run, json } => {
            let ws = open_existing(&cli)?;
            if *run {
                let n = ws.run_queue_until_empty()?;
                tracing::info!(jobs = n, "queue worked");
            }
            for row in ws.all_documents()? {
                if *json {
                    serde_json::to_writer(&mut out, &row)?;
                    writeln!(out)?;
                } else {
                    writeln!(out, "{}", document_line(&row))?;
                }
            }
        }
        Command::Document { id } => {
            let ws = open_existing(&cli)?;
            let detail = ws
                .document(*id)?
                .with_context(|| format!("no document {id}"))?;
            serde_json::to_writer_pretty(&mut out, &detail)?;
            writeln!(out)?;
        }
        Command::Export {
            format,
            lines,
            documents: _,
            state,
            project,
            dates,
            bom,
            no_mark,
            output,
        } => {
            use boxkeeper_api::dto::{ExportDates, ExportPreset, ExportRequest, ExportShape};
            let ws = open_existing(&cli)?;
            let query = boxkeeper_api::dto::DocumentQuery {
                review: state.map(ReviewStateArg::state),
                project: project.clone(),
                order: boxkeeper_api::dto::DocumentOrder::Oldest,
                ..Default::default()
            };
            let request = ExportRequest {
                path: output.display().to_string(),
                preset: match format {
                    ExportFormat::Generic => ExportPreset::Generic,
                    ExportFormat::Xero => ExportPreset::Xero,
                    ExportFormat::Qbo => ExportPreset::Qbo,
                },
                shape: if *lines {
                    ExportShape::Lines
                } else {
                    ExportShape::Documents
                },
                bom: *bom,
                dates: match dates {
                    ExportDateStyle::Iso => ExportDates::Iso,
                    ExportDateStyle::Us => ExportDates::Us,
                    ExportDateStyle::European => ExportDates::European,
                },
                mark_exported: !*no_mark,
                ..Default::default()
            };
            let done = ws.export_all(&query, &request)?;
            serde_json::to_writer(&mut out, &done)?;
            writeln!(out)?;
        }
        Command::PoLog { file } => {
            let ws = open_existing(&cli)?;
            let report = ws.open_po_log(file)?;
            for p in &report.problems {
                eprintln!("{}: {p}", file.display());
            }
            serde_json::to_writer(&mut out, &report)?;
            writeln!(out)?;
        }
        Command::UndoExport { id } => {
            let ws = open_existing(&cli)?;
            let n = ws.undo_export(*id)?;
            eprintln!("{n} documents back to the state they had before export {id}.");
        }
        Command::Reextract { ids } => {
            let ws = open_existing(&cli)?;
            let n = ws.reextract(ids)?;
            eprintln!("{n} documents queued; `boxkeeper documents --run` reads them.");
        }
        Command::Correct { id, field, value } => {
            let ws = open_existing(&cli)?;
            ws.correct_field(*id, field, value)?
                .with_context(|| format!("no document {id}"))?;
        }
        Command::Revert { id, field } => {
            let ws = open_existing(&cli)?;
            ws.revert_field(*id, field)?
                .with_context(|| format!("no document {id}"))?;
        }
        Command::Memory { json, action } => {
            let ws = open_existing(&cli)?;
            match action {
                Some(MemoryAction::Forget { id }) => {
                    let left = ws.forget_memory(*id)?;
                    eprintln!("Forgotten; {} values remembered.", left.len());
                }
                None => {
                    for row in ws.vendor_memory()? {
                        if *json {
                            serde_json::to_writer(&mut out, &row)?;
                            writeln!(out)?;
                        } else {
                            writeln!(out, "{}", memory_line(&row))?;
                        }
                    }
                }
            }
        }
        Command::Events { json } => {
            let paths = data_paths(&cli);
            if !paths.db.exists() {
                anyhow::bail!("no database at {}", paths.db.display());
            }
            let ws = Workspace::open(paths, |_| {}).context("cannot open the database")?;
            for row in ws.all_events()? {
                if *json {
                    serde_json::to_writer(&mut out, &row)?;
                    writeln!(out)?;
                } else {
                    writeln!(out, "{}", table_line(&row))?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Generic,
    Xero,
    Qbo,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReviewStateArg {
    #[value(name = "to_review")]
    ToReview,
    Approved,
    Exported,
    Rejected,
}

impl ReviewStateArg {
    fn state(self) -> boxkeeper_api::dto::ReviewState {
        use boxkeeper_api::dto::ReviewState;
        match self {
            ReviewStateArg::ToReview => ReviewState::ToReview,
            ReviewStateArg::Approved => ReviewState::Approved,
            ReviewStateArg::Exported => ReviewState::Exported,
            ReviewStateArg::Rejected => ReviewState::Rejected,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportDateStyle {
    Iso,
    Us,
    European,
}

/// The Monday.com subcommands.
fn monday(cli: &Cli, action: &MondayAction, out: &mut impl Write) -> Result<()> {
    use boxkeeper_api::dto::{MondayOutcomeKind, MondaySyncState};
    match action {
        MondayAction::Set {
            api_url,
            board,
            map,
            enable,
            disable,
        } => {
            let ws = Workspace::open(data_paths(cli), |_| {})?;
            let mut config = ws.monday_config()?;
            if let Some(url) = api_url {
                config.api_url = url.clone();
            }
            if let Some(board) = board {
                config.board_id = board.clone();
            }
            for m in map {
                let (field, column) = m
                    .split_once('=')
                    .with_context(|| format!("--map {m:?}: write FIELD=COLUMN_ID"))?;
                set_mapped(&mut config.mapping, field.trim(), column.trim())?;
            }
            if *enable {
                config.enabled = true;
            }
            if *disable {
                config.enabled = false;
            }
            let token = std::env::var("BOXKEEPER_MONDAY_TOKEN").ok();
            let config = ws.save_monday_config(&config, token.as_deref())?;
            ws.stop_monday_sync();
            serde_json::to_writer(&mut *out, &config)?;
            writeln!(out)?;
            if let Some(warning) = config.token_warning {
                eprintln!("warning: {warning}");
            }
        }
        MondayAction::Sync { once, json } => {
            let ws = open_existing(cli)?;
            loop {
                let report = ws.monday_sync_once()?;
                for row in &report.rows {
                    if *json {
                        serde_json::to_writer(&mut *out, row)?;
                        writeln!(out)?;
                    } else {
                        let outcome = match row.outcome {
                            MondayOutcomeKind::Created => "created",
                            MondayOutcomeKind::Updated => "updated",
                            MondayOutcomeKind::Unchanged => "unchanged",
                            MondayOutcomeKind::Skipped => "up to date",
                            MondayOutcomeKind::Retrying => "retrying",
                            MondayOutcomeKind::Failed => "failed",
                        };
                        writeln!(
                            out,
                            "{}_{:<6} {:<11} {:>3} writes  {}",
                            row.project_number,
                            row.po_number,
                            outcome,
                            row.writes,
                            row.message.as_deref().unwrap_or("")
                        )?;
                    }
                }
                out.flush()?;
                if let Some(why) = report.stopped {
                    anyhow::bail!("the sync stopped: {why}");
                }
                if *once {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
        }
        MondayAction::Status { json } => {
            let ws = open_existing(cli)?;
            let status = ws.monday_status()?;
            if *json {
                serde_json::to_writer(&mut *out, &status)?;
                writeln!(out)?;
                return Ok(());
            }
            writeln!(
                out,
                "configured: {}  enabled: {}{}",
                status.configured,
                status.enabled,
                status
                    .reconnect
                    .map(|r| format!("  reconnect monday.com: {r}"))
                    .unwrap_or_default()
            )?;
            for row in status.rows {
                let state = match row.state {
                    MondaySyncState::Synced => "synced",
                    MondaySyncState::Pending => "pending",
                    MondaySyncState::Retrying => "retrying",
                    MondaySyncState::Failed => "failed",
                };
                writeln!(
                    out,
                    "{}_{:<6} {:<9} {}",
                    row.project_number,
                    row.po_number,
                    state,
                    row.message.as_deref().unwrap_or("")
                )?;
            }
        }
        MondayAction::Retry { project, po } => {
            let ws = open_existing(cli)?;
            let one = project.as_deref().zip(po.as_deref());
            let n = ws.retry_monday(one)?;
            writeln!(out, "{n} POs will be sent again")?;
        }
    }
    Ok(())
}

/// Sets one field of the mapping by its key.
fn set_mapped(m: &mut boxkeeper_api::dto::MondayMapping, field: &str, column: &str) -> Result<()> {
    let slot = match field {
        "project" => &mut m.project,
        "po_number" => &mut m.po_number,
        "description" => &mut m.description,
        "status" => &mut m.status,
        "tax_form_link" => &mut m.tax_form_link,
        "folder_link" => &mut m.folder_link,
        "contact_link" => &mut m.contact_link,
        "line_status" => &mut m.line_status,
        "file_number" => &mut m.file_number,
        "line_description" => &mut m.line_description,
        "quantity" => &mut m.quantity,
        "rate" => &mut m.rate,
        "date" => &mut m.date,
        "due_date" => &mut m.due_date,
        "account_code" => &mut m.account_code,
        "file_link" => &mut m.file_link,
        other => anyhow::bail!("--map: no field {other:?} (see --help)"),
    };
    *slot = column.to_string();
    Ok(())
}

fn open_existing(cli: &Cli) -> Result<Workspace> {
    let paths = data_paths(cli);
    if !paths.db.exists() {
        anyhow::bail!("no database at {}", paths.db.display());
    }
    Workspace::open(paths, |_| {}).context("cannot open the database")
}

fn document_line(d: &boxkeeper_api::dto::DocumentRow) -> String {
    let status = match (&d.error, d.status) {
        (Some(e), boxkeeper_api::dto::DocumentStatus::Failed) => format!("failed: {e}"),
        (_, s) => s.as_str().to_string(),
    };
    format!(
        "{:>5}  {:<10} {:<24} {:<14} {:>12} {}  {}{}",
        d.id,
        d.extracted_by.as_deref().unwrap_or("-"),
        d.vendor_name.as_deref().unwrap_or("-"),
        d.invoice_number.as_deref().unwrap_or("-"),
        d.total.as_deref().unwrap_or("-"),
        d.currency.as_deref().unwrap_or(""),
        d.path,
        if d.deleted { " (deleted)" } else { "" }
    ) + &format!("  [{status}]")
}

/// "   3  Courier Car Rental   account_code  6110          2024-03-01  /2416 .../invoice.pdf"
fn memory_line(m: &boxkeeper_api::dto::MemoryEntryRow) -> String {
    format!(
        "{:>5}  {:<28} {:<13} {:<28} {}  {}",
        m.id,
        m.vendor,
        m.field.as_str(),
        m.value,
        utc_date(m.edited_ms.unwrap_or(m.learned_ms)),
        m.learned_from_path.as_deref().unwrap_or("-")
    )
}

/// The UTC day of a time in milliseconds since 1970, as yyyy-mm-dd (Hinnant's
/// civil_from_days).
fn utc_date(ms: i64) -> String {
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn write_summary(out: &mut impl Write, e: &boxkeeper_api::ExtractOutput) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {} ({})",
        e.file,
        e.document_type.as_deref().unwrap_or("unknown type"),
        e.source.as_deref().unwrap_or("not read")
    )?;
    for (name, f) in &e.fields {
        writeln!(
            out,
            "  {name:<15} {:<28} {:.2}  {}",
            f.value, f.confidence, f.source
        )?;
    }
    for line in &e.line_items {
        writeln!(
            out,
            "  line: {} | qty {} | unit {} | {}",
            line.description.as_deref().unwrap_or("-"),
            line.quantity.as_deref().unwrap_or("-"),
            line.unit_price.as_deref().unwrap_or("-"),
            line.amount.as_deref().unwrap_or("-")
        )?;
    }
    for p in &e.problems {
        writeln!(out, "  problem: {p}")?;
    }
    Ok(())
}

/// Waits until the loopback redirect finished connecting (or failed).
fn wait_for_connection(ws: &Workspace) -> Result<()> {
    use boxkeeper_api::dto::DropboxState;
    loop {
        let status = ws.status()?;
        match status.dropbox.state {
            DropboxState::Connecting => std::thread::sleep(std::time::Duration::from_millis(100)),
            _ if status.dropbox.connected => return Ok(()),
            _ => anyhow::bail!(
                "not connected: {}",
                status.dropbox.message.as_deref().unwrap_or("no answer")
            ),
        }
    }
}

fn log_event(row: &EventRow) {
    tracing::info!(
        kind = ?row.kind,
        path = %row.path,
        old_path = row.old_path.as_deref(),
        project = row.project_number.as_deref(),
        po = row.po_number.as_deref(),
        "event"
    );
}

fn table_line(row: &EventRow) -> String {
    let kind = serde_json::to_value(row.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut line = format!(
        "{:>6}  {:<14} {}",
        row.seq,
        kind,
        match &row.old_path {
            Some(old) => format!("{old} -> {}", row.path),
            None => row.path.clone(),
        }
    );
    line.push_str(&format!(
        "  [project {} po {} vendor {} {} {} #{}]",
        dash(&row.project_number),
        dash(&row.po_number),
        dash(&row.vendor_name),
        dash(&row.vendor_type),
        dash(&row.document_type),
        dash(&row.file_number),
    ));
    if !row.problems.is_empty() {
        line.push_str(&format!("  problems: {}", row.problems.join("; ")));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::utc_date;

    #[test]
    fn days_are_utc_calendar_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400_000), "2000-02-29");
        assert_eq!(utc_date(1_700_000_000_000), "2023-11-14");
        assert_eq!(utc_date(-1), "1969-12-31");
    }
}
