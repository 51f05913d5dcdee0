//! Configuration: command-line flags, each with an environment variable of the same meaning.
//! The README lists them with their defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "Gatehouse: a self-hosted IAM console on the AWS IAM model."
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the console (the default when no command is given).
    Serve(ServeArgs),
    /// Manage accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Manage IAM users (for scripts and tests until the console's user pages exist).
    #[command(subcommand)]
    User(UserCommand),
    /// Print a new one-time setup link, replacing any earlier one (only while no account exists).
    SetupLink(SetupLinkArgs),
    /// Manage access keys: bootstrap a script's first key without the browser.
    #[command(subcommand)]
    AccessKey(AccessKeyCommand),
    /// Check and simulate IAM policy documents (no database needed).
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Fill an account with generated users, groups and policies for load tests, plus an IAM
    /// user `seed-admin` whose generated password is printed once.
    Seed(SeedArgs),
    /// Measure this machine's raw argon2id rate with the shipped parameters: password
    /// verifications per second on every core (no database needed). The sign-in benchmark
    /// compares sign-in throughput with it.
    HashRate(HashRateArgs),
}

#[derive(Debug, Subcommand)]
pub enum AccessKeyCommand {
    /// Create an access key for an IAM user or the root user. Prints the key ID and its secret
    /// access key, once.
    Create(AccessKeyCreateArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("owner").required(true).args(["user", "root"])))]
pub struct AccessKeyCreateArgs {
    /// The account: its 12-digit ID or its alias.
    #[arg(long)]
    pub account: String,
    /// The IAM user the key is for.
    #[arg(long)]
    pub user: Option<String>,
    /// The key is the root user's (AWS advises against root keys: prefer an IAM user).
    #[arg(long)]
    pub root: bool,
    /// Print the result as JSON (AWS's CreateAccessKey shape).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct HashRateArgs {
    /// How long to measure.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Threads hashing at once (default: one per core, as the server's hashing pool).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// The account to fill: its ID or alias.
    #[arg(long)]
    pub account: String,
    /// How many users to generate.
    #[arg(long, default_value_t = 100_000)]
    pub users: u32,
    /// How many groups (each with five of the generated policies attached).
    #[arg(long, default_value_t = 300)]
    pub groups: u32,
    /// How many customer managed policies.
    #[arg(long, default_value_t = 1_500)]
    pub policies: u32,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Where the data lives. Without DATABASE_URL, Gatehouse runs a private Postgres cluster in the
/// data directory with the machine's Postgres binaries.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Postgres URL of an existing server. Unset: the embedded private cluster is used.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Data directory: the embedded cluster lives in <DATA>/postgres.
    #[arg(
        long = "data-dir",
        env = "GATEHOUSE_DATA",
        default_value = ".gatehouse",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Directory of the Postgres server binaries (initdb, pg_ctl). Default: the newest
    /// /usr/lib/postgresql/*/bin, then PATH.
    #[arg(long = "pg-bin", env = "GATEHOUSE_PG_BIN", global = true)]
    pub pg_bin: Option<PathBuf>,
    /// The unprivileged account that runs the embedded cluster when Gatehouse runs as root.
    #[arg(
        long = "pg-user",
        env = "GATEHOUSE_PG_USER",
        default_value = "postgres",
        global = true
    )]
    pub pg_user: String,
    /// The ARN partition.
    #[arg(long, env = "GATEHOUSE_PARTITION", default_value = "aws", global = true)]
    pub partition: String,
    /// Database connections this process keeps at most. Default: twice the CPU cores, at least
    /// 12 (a connection waiting for its commit's WAL flush uses no core; see docs/performance.md).
    #[arg(long = "db-pool-size", env = "GATEHOUSE_DB_POOL_SIZE", global = true)]
    pub db_pool_size: Option<u32>,
    /// File holding the secret key that encrypts stored secrets (TOTP seeds, access key secrets): 64 hexadecimal
    /// digits. Default: <DATA>/secret.key, generated on first start with mode 0600.
    #[arg(long = "secret-key-file", env = "GATEHOUSE_SECRET_KEY_FILE", global = true)]
    pub secret_key_file: Option<PathBuf>,
    /// Files of earlier secret keys, comma-separated, still accepted for decryption after a
    /// rotation (see the README's Operations section).
    #[arg(
        long = "previous-secret-key-files",
        env = "GATEHOUSE_PREVIOUS_SECRET_KEY_FILES",
        value_delimiter = ',',
        global = true
    )]
    pub previous_secret_key_files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "GATEHOUSE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// The URL people reach Gatehouse at (used in sign-in URLs, setup links and the Origin check).
    /// Default: http://<addr>.
    #[arg(long = "public-url", env = "GATEHOUSE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Mark cookies Secure and name the session cookie __Host-…: auto = when the public URL is https.
    #[arg(long = "secure-cookies", env = "GATEHOUSE_SECURE_COOKIES", value_enum, default_value_t = SecureCookies::Auto)]
    pub secure_cookies: SecureCookies,
    /// Minutes of inactivity after which a session ends.
    #[arg(long = "session-idle-minutes", env = "GATEHOUSE_SESSION_IDLE_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub session_idle_minutes: u32,
    /// Hours after sign-in at which a session ends however active it is.
    #[arg(long = "session-absolute-hours", env = "GATEHOUSE_SESSION_ABSOLUTE_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..=168))]
    pub session_absolute_hours: u32,
    /// Minutes a first-run setup link stays valid.
    #[arg(long = "setup-link-minutes", env = "GATEHOUSE_SETUP_LINK_MINUTES", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..=10080))]
    pub setup_link_minutes: u32,
    /// Failed sign-ins one source address may make in 15 minutes before its sign-ins are refused
    /// until the 15 minutes are over; 0 turns the throttle off. Behind a reverse proxy every
    /// request comes from the proxy's address, so there set it high or to 0.
    #[arg(
        long = "sign-in-failures-per-ip",
        env = "GATEHOUSE_SIGN_IN_FAILURES_PER_IP",
        default_value_t = 50
    )]
    pub sign_in_failures_per_ip: u32,
    /// Directory of the built site (pkg/ with the WebAssembly, JavaScript and CSS).
    #[arg(long = "site-root", env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecureCookies {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account and its root user. Prints the account ID (and a generated root password, once).
    Create(AccountCreateArgs),
    /// Lift the root user's sign-in lockout (nobody in the console can: root is the one locked out).
    UnlockRoot(UnlockRootArgs),
}

#[derive(Debug, Args)]
pub struct UnlockRootArgs {
    /// The account: its 12-digit ID or its alias.
    #[arg(long)]
    pub account: String,
}

#[derive(Debug, Args)]
pub struct AccountCreateArgs {
    /// The root user's email address (unique across the deployment).
    #[arg(long = "root-email")]
    pub root_email: String,
    /// An account alias: 3–63 lowercase letters, digits and hyphens.
    #[arg(long)]
    pub alias: Option<String>,
    /// Read the root password from standard input instead of generating one.
    #[arg(long = "password-stdin")]
    pub password_stdin: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an IAM user with a console password. Prints the user (and a generated password, once).
    Create(UserCreateArgs),
}

#[derive(Debug, Args)]
pub struct UserCreateArgs {
    /// The account: its 12-digit ID or its alias.
    #[arg(long)]
    pub account: String,
    /// The user name.
    #[arg(long)]
    pub name: String,
    /// The user's path.
    #[arg(long, default_value = "/")]
    pub path: String,
    /// Read the console password from standard input instead of generating one.
    #[arg(long = "password-stdin")]
    pub password_stdin: bool,
    /// The user must create a new password at next sign-in (always so for a generated password).
    #[arg(long = "require-reset")]
    pub require_reset: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SetupLinkArgs {
    /// The URL people reach Gatehouse at.
    #[arg(
        long = "public-url",
        env = "GATEHOUSE_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000"
    )]
    pub public_url: String,
    /// Minutes the link stays valid.
    #[arg(long = "setup-link-minutes", env = "GATEHOUSE_SETUP_LINK_MINUTES", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..=10080))]
    pub setup_link_minutes: u32,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate a policy document and print its findings. Exit status: 0 valid (warnings
    /// allowed), 1 the document has errors, 2 misuse (e.g. the file cannot be read).
    Check(PolicyCheckArgs),
    /// Decide one request against policies, a permissions boundary and a context; print the
    /// decision and the statements that made it as JSON.
    Simulate(PolicySimulateArgs),
}

/// Which limits apply: the kind of policy the document will be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyKindArg {
    /// A customer managed policy (at most 6,144 characters without whitespace).
    Managed,
    /// A user's inline policy (at most 2,048).
    UserInline,
    /// A group's inline policy (at most 5,120).
    GroupInline,
}

#[derive(Debug, Args)]
pub struct PolicyCheckArgs {
    /// The policy document (JSON); - reads standard input.
    pub file: PathBuf,
    /// The kind of policy, which sets the size limit.
    #[arg(long, value_enum, default_value_t = PolicyKindArg::Managed)]
    pub kind: PolicyKindArg,
    /// Print the findings as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PolicySimulateArgs {
    /// JSON: {"policies": [doc, ...], "boundary": doc or null, "action": "iam:CreateUser",
    /// "resource": "arn:...", "context": {"aws:username": "alice", ...}}; - reads standard input.
    #[arg(long)]
    pub input: PathBuf,
}
