//! `monday-emulator --listen 127.0.0.1:PORT`: serves the emulated monday.com API v2 until
//! killed; faults, tokens and the budget are set through `/__control/` (see the crate doc).

use clap::Parser;

#[derive(Parser, Debug)]
#[command(about = "An emulator of the monday.com GraphQL API v2 for tests")]
struct Args {
    /// Address to listen on (port 0 picks a free port; the chosen URL is logged).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// The API token to accept (default: the library's test token).
    #[arg(long)]
    token: Option<String>,
    /// A JSON file of boards (and items) to start with, in the shape of monday's `boards`
    /// answer; repeatable. Default: the purchase-order board and its subitems board.
    #[arg(long = "seed")]
    seeds: Vec<std::path::PathBuf>,
    /// Complexity points per minute (default 10,000,000).
    #[arg(long)]
    complexity_budget: Option<u64>,
    /// The version served without an API-Version header (default 2025-07).
    #[arg(long)]
    current_version: Option<String>,
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();
    let mut config = monday_emulator::Config::default();
    if let Some(token) = args.token {
        config.token = token;
    }
    if let Some(budget) = args.complexity_budget {
        config.complexity.budget_per_minute = budget;
    }
    if let Some(v) = args.current_version {
        config.current_version = v;
    }
    if !args.seeds.is_empty() {
        let mut seed = monday_emulator::Seed::empty();
        for path in &args.seeds {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    tracing::error!(path = %path.display(), error = %e, "cannot read the seed");
                    return std::process::ExitCode::FAILURE;
                }
            };
            if let Err(e) = seed.add_json(&text) {
                tracing::error!(path = %path.display(), error = %e, "cannot load the seed");
                return std::process::ExitCode::FAILURE;
            }
        }
        config.seed = seed;
    }
    match monday_emulator::Emulator::start_with(&args.listen, config) {
        Ok(emulator) => {
            tracing::info!(base_url = %emulator.base_url(), api_url = %emulator.api_url(), "ready");
            loop {
                std::thread::park();
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot start");
            std::process::ExitCode::FAILURE
        }
    }
}
