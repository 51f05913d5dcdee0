//! The embedded default database: a private Postgres cluster in the data directory, run with
//! the machine's own Postgres binaries, reachable only through a Unix socket in a directory
//! that only its owner can enter. Started on demand, stopped by whoever started it.
//!
//! Postgres refuses to run as root. When Gatehouse runs as root, the cluster's files belong to
//! an unprivileged account (`postgres` unless configured) and initdb/pg_ctl run as that account.

use std::os::unix::fs::{chown, MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

const DB_NAME: &str = "gatehouse";
const DB_USER: &str = "gatehouse";
/// Unix socket paths are limited to 107 bytes on Linux.
const MAX_SOCKET_PATH: usize = 107;

pub struct EmbeddedPostgres {
    pgdata: PathBuf,
    socket_dir: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<(u32, u32)>,
    started_here: bool,
}

impl EmbeddedPostgres {
    /// Initialises the cluster on first use, starts it unless it already runs, and creates the
    /// `gatehouse` database.
    pub async fn start(data_dir: &Path, pg_bin: Option<&Path>, pg_user: &str) -> Result<Self> {
        let bin_dir = find_bin_dir(pg_bin)?;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
        let data_dir = data_dir
            .canonicalize()
            .with_context(|| format!("cannot resolve the data directory {}", data_dir.display()))?;
        let pgdata = data_dir.join("postgres");
        let socket_dir = data_dir.join("run");
        let log_dir = data_dir.join("log");
        let socket_len = socket_dir.join(".s.PGSQL.5432").as_os_str().len();
        if socket_len > MAX_SOCKET_PATH {
            bail!(
                "the data directory path {} is too long for a Unix socket ({socket_len} > {MAX_SOCKET_PATH} bytes); \
                 set GATEHOUSE_DATA to a shorter path",
                data_dir.display()
            );
        }
        let run_as = if is_root()? {
            Some(unprivileged_account(pg_user)?)
        } else {
            None
        };
        for dir in [&pgdata, &socket_dir, &log_dir] {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            if let Some((uid, gid)) = run_as {
                chown(dir, Some(uid), Some(gid))
                    .with_context(|| format!("cannot hand {} to {pg_user}", dir.display()))?;
            }
        }
        if run_as.is_some() {
            // The unprivileged account must be able to pass through the data directory.
            let mode = std::fs::metadata(&data_dir)?.permissions().mode();
            std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(mode | 0o011))?;
            check_reachable(&data_dir, pg_user)?;
        }

        let mut pg = Self {
            pgdata,
            socket_dir,
            bin_dir,
            run_as,
            started_here: false,
        };
        if !pg.pgdata.join("PG_VERSION").exists() {
            tracing::info!(dir = %pg.pgdata.display(), "initialising the embedded Postgres cluster");
            pg.run(
                "initdb",
                &[
                    "-D",
                    &pg.pgdata.to_string_lossy(),
                    "-U",
                    DB_USER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-locale",
                ],
            )?;
        }
        if !pg.is_running()? {
            let options = format!(
                "-c listen_addresses='' -c unix_socket_directories='{}' -c unix_socket_permissions=0700",
                pg.socket_dir.display()
            );
            let log = log_dir.join("postgres.log");
            tracing::info!("starting the embedded Postgres cluster");
            pg.run(
                "pg_ctl",
                &[
                    "start",
                    "-D",
                    &pg.pgdata.to_string_lossy(),
                    "-w",
                    "-t",
                    "60",
                    "-l",
                    &log.to_string_lossy(),
                    "-o",
                    &options,
                ],
            )
            .with_context(|| format!("the embedded Postgres did not start; see {}", log.display()))?;
            pg.started_here = true;
        }
        pg.create_database().await?;
        Ok(pg)
    }

    /// Connection options for the `gatehouse` database over the private socket.
    pub fn connect_options(&self) -> PgConnectOptions {
        self.options_for(DB_NAME)
    }

    fn options_for(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(5432)
            .username(DB_USER)
            .database(database)
            .disable_statement_logging()
    }

    async fn create_database(&self) -> Result<()> {
        let mut conn = sqlx::PgConnection::connect_with(&self.options_for("postgres"))
            .await
            .context("cannot connect to the embedded Postgres")?;
        let (exists,): (bool,) =
            sqlx::query_as("select exists (select 1 from pg_database where datname = $1)")
                .bind(DB_NAME)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            sqlx::query(&format!("create database {DB_NAME}"))
                .execute(&mut conn)
                .await?;
        }
        conn.close().await?;
        Ok(())
    }

    fn is_running(&self) -> Result<bool> {
        let status = self
            .command("pg_ctl")
            .args(["status", "-D"])
            .arg(&self.pgdata)
            .output()?;
        Ok(status.status.success())
    }

    /// Stops the cluster if this process started it; a cluster that was already running (another
    /// Gatehouse process started it) is left alone.
    pub fn stop(self) -> Result<()> {
        if self.started_here {
            tracing::info!("stopping the embedded Postgres cluster");
            self.run(
                "pg_ctl",
                &["stop", "-D", &self.pgdata.to_string_lossy(), "-m", "fast", "-w"],
            )?;
        }
        Ok(())
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        // Postgres wants a working directory it can read.
        cmd.current_dir(self.pgdata.parent().unwrap_or(Path::new("/")));
        cmd.env_remove("PGDATA").env("LC_ALL", "C");
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        cmd
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<()> {
        let out = self
            .command(program)
            .args(args)
            .output()
            .with_context(|| format!("cannot run {}", self.bin_dir.join(program).display()))?;
        if !out.status.success() {
            bail!(
                "{program} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout).trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    }
}

/// The directory holding initdb and pg_ctl: the configured one, the newest
/// /usr/lib/postgresql/<version>/bin, or the one on PATH.
fn find_bin_dir(configured: Option<&Path>) -> Result<PathBuf> {
    find_bin_dir_in(
        configured,
        Path::new("/usr/lib/postgresql"),
        std::env::var_os("PATH"),
    )
}

fn find_bin_dir_in(
    configured: Option<&Path>,
    versions_root: &Path,
    path: Option<std::ffi::OsString>,
) -> Result<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = configured {
        if has_tools(dir) {
            return Ok(dir.to_owned());
        }
        bail!(
            "GATEHOUSE_PG_BIN={} does not contain initdb and pg_ctl",
            dir.display()
        );
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(versions_root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse::<u32>().ok()?, e.path().join("bin"))))
        .filter(|(_, dir)| has_tools(dir))
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Ok(dir);
    }
    if let Some(dir) = path
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| has_tools(d))
    {
        return Ok(dir);
    }
    bail!(
        "no Postgres server binaries (initdb, pg_ctl) were found in /usr/lib/postgresql/*/bin or on PATH.\n\
         Install them (Debian/Ubuntu: `apt-get install postgresql`; Fedora: `dnf install postgresql-server`), \
         set GATEHOUSE_PG_BIN to their directory, or set DATABASE_URL to use an existing Postgres server."
    )
}

fn is_root() -> Result<bool> {
    Ok(nix::unistd::geteuid().is_root())
}

fn unprivileged_account(name: &str) -> Result<(u32, u32)> {
    match nix::unistd::User::from_name(name)? {
        Some(user) if !user.uid.is_root() => Ok((user.uid.as_raw(), user.gid.as_raw())),
        _ => bail!(
            "Gatehouse runs as root, and Postgres refuses to run as root, so the embedded cluster runs as an \
             unprivileged account; there is no account named {name}. Create one (`useradd --system {name}`), \
             set GATEHOUSE_PG_USER to another, or run Gatehouse as an ordinary user."
        ),
    }
}

/// Fails with a clear message when an ancestor of `dir` cannot be entered by other accounts.
fn check_reachable(dir: &Path, pg_user: &str) -> Result<()> {
    for ancestor in dir.ancestors().skip(1) {
        let meta = std::fs::metadata(ancestor)?;
        if meta.mode() & 0o001 == 0 {
            bail!(
                "the {pg_user} account cannot enter {} (on the way to the data directory {}); \
                 set GATEHOUSE_DATA to a directory it can reach, such as /var/lib/gatehouse",
                ancestor.display(),
                dir.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_postgres_binaries_the_error_says_what_to_install() {
        let empty = std::env::temp_dir().join(format!("gatehouse-no-pg-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let err = find_bin_dir_in(None, &empty, Some(empty.clone().into_os_string()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("apt-get install postgresql"), "{err}");
        assert!(err.contains("DATABASE_URL"), "{err}");
        let _ = std::fs::remove_dir_all(&empty);
    }

    #[test]
    fn the_newest_installed_version_is_preferred() {
        let root = std::env::temp_dir().join(format!("gatehouse-pg-versions-{}", std::process::id()));
        for version in ["9", "15", "13"] {
            let bin = root.join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join("initdb"), "").unwrap();
            std::fs::write(bin.join("pg_ctl"), "").unwrap();
        }
        assert_eq!(
            find_bin_dir_in(None, &root, None).unwrap(),
            root.join("15").join("bin")
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}
