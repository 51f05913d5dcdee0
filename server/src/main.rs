use clap::Parser;
use server::config::{AccountCommand, Cli, Command, PolicyCommand, UserCommand};

/// mimalloc instead of the system allocator: server rendering allocates many small strings, and
/// glibc's malloc took a fifth of the server's time under load (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut args: Vec<String> = std::env::args().collect();
    let mut cli = Cli::parse_from(&args);
    if cli.command.is_none() {
        // `serve` is the default command.
        args.insert(1, "serve".into());
        cli = Cli::parse_from(&args);
    }
    let database = cli.database;
    // The policy commands need no database and have exit statuses of their own.
    match cli.command {
        Some(Command::Policy(PolicyCommand::Check(args))) => return server::policy_cmd::check(&args),
        Some(Command::Policy(PolicyCommand::Simulate(args))) => return server::policy_cmd::simulate(&args),
        _ => {}
    }
    let result = match cli.command {
        Some(Command::Serve(args)) => server::cli::serve(args, database).await,
        Some(Command::Account(AccountCommand::Create(args))) => {
            server::cli::account_create(args, database).await
        }
        Some(Command::User(UserCommand::Create(args))) => server::cli::user_create(args, database).await,
        Some(Command::SetupLink(args)) => server::cli::setup_link(args, database).await,
        Some(Command::Seed(args)) => server::seed::seed(args, database).await,
        Some(Command::Policy(_)) | None => Ok(()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
