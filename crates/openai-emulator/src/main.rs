//! `openai-emulator --listen 127.0.0.1:PORT`: serves the emulated chat-completions API until
//! killed; replies are scripted through `/__control/replies` (see the crate doc).

use clap::Parser;

#[derive(Parser, Debug)]
#[command(about = "An emulator of OpenAI's chat-completions API for tests")]
struct Args {
    /// Address to listen on (port 0 picks a free port; the chosen URL is logged).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// The API key to accept (default: the library's default test key).
    #[arg(long)]
    api_key: Option<String>,
    /// A model to serve (repeatable; default: gpt-4o-mini, gpt-4o-2024-08-06, o3-mini).
    #[arg(long = "model")]
    models: Vec<String>,
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
    let mut config = openai_emulator::Config::default();
    if let Some(key) = args.api_key {
        config.api_key = key;
    }
    if !args.models.is_empty() {
        config.models = args.models;
    }
    match openai_emulator::Emulator::start_with(&args.listen, config) {
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
