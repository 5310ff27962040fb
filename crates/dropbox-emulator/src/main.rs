//! `dropbox-emulator --listen 127.0.0.1:PORT`: serves the emulated Dropbox API until killed.

use clap::Parser;

#[derive(Parser, Debug)]
#[command(about = "A stateful emulator of the Dropbox HTTP API v2 for tests")]
struct Args {
    /// Address to listen on (port 0 picks a free port; the chosen URL is logged).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, default_value_t = 14400)]
    token_lifetime: u64,
    /// Make the account a team-space member whose home folder is `/<NAME>` of the team space
    /// (root namespace != home namespace; see the crate doc). Default: a personal account.
    #[arg(long, value_name = "NAME")]
    team_home: Option<String>,
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
    let config = dropbox_emulator::Config {
        access_token_lifetime: std::time::Duration::from_secs(args.token_lifetime),
        team: args.team_home.map(dropbox_emulator::TeamSpace::new),
        ..Default::default()
    };
    match dropbox_emulator::Emulator::start_with(&args.listen, config) {
        Ok(emulator) => {
            tracing::info!(base_url = %emulator.base_url(), "ready");
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
