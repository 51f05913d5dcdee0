use clap::Parser;
use server::config::{
    AccessKeyCommand, AccountCommand, Cli, Command, HashRateArgs, PolicyCommand, UserCommand,
};

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
        Some(Command::HashRate(args)) => return hash_rate(&args),
        _ => {}
    }
    let result = match cli.command {
        Some(Command::Serve(args)) => server::cli::serve(args, database).await,
        Some(Command::Account(AccountCommand::Create(args))) => {
            server::cli::account_create(args, database).await
        }
        Some(Command::Account(AccountCommand::UnlockRoot(args))) => {
            server::cli::unlock_root(args, database).await
        }
        Some(Command::User(UserCommand::Create(args))) => server::cli::user_create(args, database).await,
        Some(Command::AccessKey(AccessKeyCommand::Create(args))) => {
            server::cli::access_key_create(args, database).await
        }
        Some(Command::SetupLink(args)) => server::cli::setup_link(args, database).await,
        Some(Command::Seed(args)) => server::seed::seed(args, database).await,
        Some(Command::Policy(_) | Command::HashRate(_)) | None => Ok(()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `gatehouse hash-rate`: the raw verification rate the sign-in benchmark is measured against.
fn hash_rate(args: &HashRateArgs) -> std::process::ExitCode {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let cost = gatehouse_iam::HashCost::default();
    match gatehouse_iam::measure_verify_rate(cost, threads, std::time::Duration::from_secs(args.seconds)) {
        Ok(rate) if args.json => {
            println!(
                "{}",
                serde_json::json!({ "threads": threads, "seconds": args.seconds, "verificationsPerSecond": rate })
            );
            std::process::ExitCode::SUCCESS
        }
        Ok(rate) => {
            println!(
                "{rate:.1} argon2id verifications/s on {threads} threads (m={} KiB, t={}, p={})",
                cost.memory_kib, cost.iterations, cost.parallelism
            );
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
