//! The `gatehouse` commands: `serve` (the default), `account create`, `account unlock-root`,
//! `user create`, `access-key create` and `setup-link` (`seed` and `hash-rate` live in seed.rs
//! and main.rs). Secrets a command generates are printed once, to standard output only.

use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use app::ssr::{AppState, ConsoleSettings, Metrics};
use gatehouse_iam::{
    generate_password, AccountAlias, AccountId, AccountRef, Actor, CredentialOwner, Email, Iam, IamConfig,
    IamPath, NewAccount, NewUser, Partition, RequestMeta, Source, SystemClock, UserName,
};
use leptos::prelude::LeptosOptions;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::config::{
    AccessKeyCreateArgs, AccountCreateArgs, DatabaseArgs, SecureCookies, ServeArgs, SetupLinkArgs,
    UnlockRootArgs, UserCreateArgs,
};
use crate::db::Database;

/// Prints a line to the terminal. Unlike `println!`, a closed standard output (the server piped
/// into a command that exited) is not worth crashing the server over.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub(crate) fn iam(db: &Database, args: &DatabaseArgs) -> Result<Iam> {
    Ok(Iam::new(
        db.pool.clone(),
        iam_config(args)?,
        Arc::new(SystemClock),
    )?)
}

fn iam_config(args: &DatabaseArgs) -> Result<IamConfig> {
    Ok(IamConfig {
        partition: Partition::new(&args.partition)?,
        secret_keys: crate::secret_key::load(args)?,
        ..IamConfig::default()
    })
}

/// Opens the database, runs `work` with the IAM service on it, and closes the database (stopping
/// the embedded cluster) whether `work` succeeded or not.
async fn with_iam<T>(db_args: &DatabaseArgs, work: impl AsyncFnOnce(&Iam) -> Result<T>) -> Result<T> {
    let db = Database::open(db_args).await?;
    let result = match iam(&db, db_args) {
        Ok(iam) => work(&iam).await,
        Err(err) => Err(err),
    };
    db.close().await?;
    result
}

/// The ID of the account `typed` names, or an error naming what was typed.
async fn account_id(iam: &Iam, account: &AccountRef, typed: &str) -> Result<AccountId> {
    Ok(iam
        .find_account(account)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account {}", typed.trim()))?
        .account_id)
}

/// Normalises the public URL and checks it is an http(s) URL.
pub fn public_url(configured: Option<&str>, addr: SocketAddr) -> Result<String> {
    let url = configured.map_or_else(|| format!("http://{addr}"), str::to_owned);
    let url = url.trim_end_matches('/').to_owned();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        bail!("GATEHOUSE_PUBLIC_URL must start with http:// or https:// (got {url})");
    }
    Ok(url)
}

pub async fn serve(args: ServeArgs, db_args: DatabaseArgs) -> Result<()> {
    let public_url = public_url(args.public_url.as_deref(), args.addr)?;
    let secure_cookies = match args.secure_cookies {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        SecureCookies::Auto => public_url.starts_with("https://"),
    };
    let db = Database::open(&db_args).await?;
    let mut config = iam_config(&db_args)?;
    config.sign_in_throttle.failures = match args.sign_in_failures_per_ip {
        0 => u32::MAX,
        n => n,
    };
    let iam = Iam::new(db.pool.clone(), config, Arc::new(SystemClock))?;
    let leptos_options = LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root(args.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(args.addr)
        .build();
    if !args.site_root.join("pkg").join("gatehouse.js").is_file() {
        tracing::warn!(
            site_root = %args.site_root.display(),
            "the built site is missing (no pkg/gatehouse.js): pages will render but not hydrate; build it with `cargo leptos build --release`"
        );
    }
    let state = AppState {
        iam: iam.clone(),
        leptos_options,
        console: Arc::new(ConsoleSettings {
            public_url: public_url.clone(),
            session_absolute_timeout: time::Duration::hours(args.session_absolute_hours.into()),
            secure_cookies,
        }),
        metrics: Arc::new(Metrics::default()),
    };
    let router =
        crate::build_router(state, time::Duration::minutes(args.session_idle_minutes.into())).await?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    say!("Gatehouse is running at {public_url}");
    if !secure_cookies && !args.addr.ip().is_loopback() {
        tracing::warn!("serving on a non-loopback address without Secure cookies: put Gatehouse behind TLS and set GATEHOUSE_PUBLIC_URL to its https:// URL");
    }
    print_setup_link(&iam, &public_url, args.setup_link_minutes).await?;
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    db.close().await?;
    served.context("the server stopped with an error")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Prints a one-time setup link while the deployment has no account.
async fn print_setup_link(iam: &Iam, public_url: &str, minutes: u32) -> Result<bool> {
    match iam
        .issue_setup_token(time::Duration::minutes(minutes.into()))
        .await?
    {
        Some(token) => {
            say!();
            say!("This deployment has no account yet. Open this one-time setup link to create the first");
            say!("account and its root user (valid for {minutes} minutes, usable once):");
            say!();
            say!("    {public_url}/setup?token={}", token.expose());
            say!();
            Ok(true)
        }
        None => Ok(false),
    }
}

pub async fn setup_link(args: SetupLinkArgs, db_args: DatabaseArgs) -> Result<()> {
    with_iam(&db_args, async |iam| {
        let url = public_url(Some(&args.public_url), ([127, 0, 0, 1], 3000).into())?;
        if !print_setup_link(iam, &url, args.setup_link_minutes).await? {
            bail!("setup is already complete: this deployment has an account");
        }
        Ok(())
    })
    .await
}

fn read_password_stdin() -> Result<SecretString> {
    let mut input = String::new();
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Password (then Enter and Ctrl-D):");
    }
    stdin
        .lock()
        .read_to_string(&mut input)
        .context("cannot read the password from standard input")?;
    // Only the line ending is dropped; the password is never otherwise changed.
    let password = input
        .strip_suffix('\n')
        .map(|p| p.strip_suffix('\r').unwrap_or(p))
        .unwrap_or(&input);
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(SecretString::from(password.to_owned()))
}

pub async fn account_create(args: AccountCreateArgs, db_args: DatabaseArgs) -> Result<()> {
    let alias = args.alias.as_deref().map(AccountAlias::try_from).transpose()?;
    let root_email = Email::try_from(args.root_email.trim())?;
    let (root_password, generated) = if args.password_stdin {
        (read_password_stdin()?, false)
    } else {
        (generate_password(), true)
    };
    let shown = generated.then(|| root_password.expose_secret().to_owned());
    let new = NewAccount {
        alias,
        root_email: root_email.clone(),
        root_password,
    };
    let created = with_iam(&db_args, async |iam| {
        Ok(iam.create_account(&Actor::Operator, new, &cli_meta()).await?)
    })
    .await?;
    if args.json {
        let mut out = json!({
            "accountId": created.account_id,
            "alias": created.alias,
            "rootEmail": root_email,
            "rootArn": created.root_arn,
        });
        if let Some(pw) = shown {
            out["rootPassword"] = json!(pw);
        }
        println!("{out}");
    } else {
        println!("Account ID:   {}", created.account_id);
        if let Some(alias) = &created.alias {
            println!("Alias:        {alias}");
        }
        println!("Root user:    {root_email}");
        if let Some(pw) = shown {
            println!("Root password (shown once): {pw}");
        }
    }
    Ok(())
}

/// `gatehouse account unlock-root`: lifts the root user's lockout and forgets its failed attempts.
pub async fn unlock_root(args: UnlockRootArgs, db_args: DatabaseArgs) -> Result<()> {
    let account = AccountRef::parse(&args.account)?;
    let (account_id, was_locked) = with_iam(&db_args, async |iam| {
        let account_id = account_id(iam, &account, &args.account).await?;
        let was_locked = iam
            .unlock_root(&Actor::Operator, &account_id, &cli_meta())
            .await?;
        Ok((account_id, was_locked))
    })
    .await?;
    if was_locked {
        println!("The root user of account {account_id} is unlocked.");
    } else {
        println!(
            "The root user of account {account_id} was not locked out; its failed attempts are forgotten."
        );
    }
    Ok(())
}

pub async fn user_create(args: UserCreateArgs, db_args: DatabaseArgs) -> Result<()> {
    let account = AccountRef::parse(&args.account)?;
    let name = UserName::try_from(args.name.trim())?;
    let path = IamPath::try_from(args.path.as_str())?;
    let (password, generated) = if args.password_stdin {
        (read_password_stdin()?, false)
    } else {
        (generate_password(), true)
    };
    let shown = generated.then(|| password.expose_secret().to_owned());
    let new = NewUser {
        name,
        path,
        password: Some(password),
        // A generated password is a one-time secret: its owner must replace it.
        password_reset_required: args.require_reset || generated,
    };
    let created = with_iam(&db_args, async |iam| {
        Ok(iam
            .create_user(&Actor::Operator, &account, new, Source::Cli, &cli_meta())
            .await?)
    })
    .await?;
    if args.json {
        let mut out = json!({ "userName": created.user_name, "userId": created.user_id, "arn": created.arn });
        if let Some(pw) = shown {
            out["password"] = json!(pw);
        }
        println!("{out}");
    } else {
        println!("User:     {}", created.user_name);
        println!("User ID:  {}", created.user_id);
        println!("ARN:      {}", created.arn);
        if let Some(pw) = shown {
            println!("Password (shown once; marked for reset at next sign-in): {pw}");
        }
    }
    Ok(())
}

/// `gatehouse access-key create`: a key for a user (or root), so a script can make its first
/// signed call without the browser. The secret is printed once and never stored in clear.
pub async fn access_key_create(args: AccessKeyCreateArgs, db_args: DatabaseArgs) -> Result<()> {
    let account = AccountRef::parse(&args.account)?;
    let user = args
        .user
        .as_deref()
        .map(|u| UserName::try_from(u.trim()))
        .transpose()?;
    let owner = match &user {
        Some(name) => CredentialOwner::User(name),
        None => CredentialOwner::Root,
    };
    let key = with_iam(&db_args, async |iam| {
        let account_id = account_id(iam, &account, &args.account).await?;
        Ok(iam
            .create_access_key(&Actor::Operator, &account_id, owner, &cli_meta())
            .await?)
    })
    .await?;
    let secret = key.secret_access_key.expose_secret();
    if args.json {
        let mut out = json!({
            "AccessKey": {
                "AccessKeyId": key.access_key_id.as_str(),
                "SecretAccessKey": secret,
                "Status": "Active",
            }
        });
        if let Some(name) = &user {
            out["AccessKey"]["UserName"] = json!(name.as_str());
        }
        println!("{out}");
    } else {
        println!("Access key ID:     {}", key.access_key_id);
        println!("Secret access key: {secret}");
        println!("(The secret is shown this once. Store it now, e.g. with `aws configure`.)");
    }
    Ok(())
}

fn cli_meta() -> RequestMeta {
    RequestMeta {
        source_ip: None,
        user_agent: Some(format!("gatehouse-cli/{}", env!("CARGO_PKG_VERSION"))),
        secure_transport: false,
        console_session: None,
        access_key_id: None,
    }
}
