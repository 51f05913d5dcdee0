//! Opening the database: the server named by DATABASE_URL, or the embedded private cluster.
//! Migrations run every time, before anything else touches the schema.

use std::time::Duration;

use anyhow::{Context, Result};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};

use crate::config::DatabaseArgs;
use crate::embedded::EmbeddedPostgres;

/// A pooled connection idle this long is pinged before it is used again.
const PING_CONNECTIONS_IDLE_FOR: Duration = Duration::from_secs(10);

pub struct Database {
    pub pool: PgPool,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    pub async fn open(args: &DatabaseArgs) -> Result<Self> {
        let (options, embedded) = match &args.database_url {
            Some(url) => {
                let options: PgConnectOptions =
                    url.parse().context("DATABASE_URL is not a valid Postgres URL")?;
                (options.disable_statement_logging(), None)
            }
            None => {
                let pg =
                    EmbeddedPostgres::start(&args.data_dir, args.pg_bin.as_deref(), &args.pg_user).await?;
                (pg.connect_options(), Some(pg))
            }
        };
        let pool = pool_options(pool_size(args.db_pool_size), PING_CONNECTIONS_IDLE_FOR)
            .connect_with(options)
            .await
            .context("cannot connect to the database")?;
        gatehouse_iam::MIGRATOR
            .run(&pool)
            .await
            .context("database migrations failed")?;
        Ok(Self { pool, embedded })
    }

    /// Closes the pool and stops the embedded cluster if this process started it.
    pub async fn close(self) -> Result<()> {
        self.pool.close().await;
        if let Some(pg) = self.embedded {
            pg.stop()?;
        }
        Ok(())
    }
}

/// The pool's options. By default sqlx pings every connection before handing it out: a round
/// trip to Postgres before every statement, a third of a Users page's round trips. Only a
/// connection that sat idle can have gone stale unnoticed (Postgres restarted, or a firewall
/// dropped it), so only those idle for `ping_idle_for` are pinged; a broken one is dropped and
/// another one taken.
fn pool_options(size: u32, ping_idle_for: Duration) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(size)
        .test_before_acquire(false)
        .before_acquire(move |conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= ping_idle_for {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}

/// The configured pool size, or the default for this machine's cores.
fn pool_size(configured: Option<u32>) -> u32 {
    configured
        .unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            default_pool_size(cores)
        })
        .max(1)
}

/// Twice the CPU cores, and at least 12. A connection whose change is committing waits for its
/// WAL flush (milliseconds on a small machine's disk) without using a core, so on a small machine
/// twice the cores left the cores idle while every connection waited for the disk: on 2 cores,
/// CreateUser ran at 4,900 calls/s with 4 connections, 6,750 with 8 and 6,200–7,550 with 12
/// (nine runs), while the console's pages and GetUser did not change (docs/performance.md).
fn default_pool_size(cores: usize) -> u32 {
    u32::try_from(cores.saturating_mul(2)).unwrap_or(u32::MAX).max(12)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-connection pool whose connection Postgres has just ended, with that
    /// connection's backend process ID.
    async fn pool_with_ended_connection(ping_idle_for: Duration, connect: PgConnectOptions) -> (PgPool, i32) {
        let pool = pool_options(1, ping_idle_for)
            .connect_with(connect.clone())
            .await
            .unwrap();
        let pid = backend_pid(&pool).await;
        let other = PgPoolOptions::new().connect_with(connect).await.unwrap();
        sqlx::query("select pg_terminate_backend($1)")
            .bind(pid)
            .execute(&other)
            .await
            .unwrap();
        (pool, pid)
    }

    async fn backend_pid(pool: &PgPool) -> i32 {
        sqlx::query_scalar("select pg_backend_pid()")
            .fetch_one(pool)
            .await
            .unwrap()
    }

    #[test]
    fn the_pool_is_twice_the_cores_and_at_least_twelve_unless_configured() {
        assert_eq!(default_pool_size(1), 12);
        assert_eq!(default_pool_size(2), 12);
        assert_eq!(default_pool_size(6), 12);
        assert_eq!(default_pool_size(8), 16);
        assert_eq!(default_pool_size(32), 64);
        assert_eq!(pool_size(Some(3)), 3);
        assert_eq!(pool_size(Some(0)), 1, "a pool needs one connection");
        assert!(pool_size(None) >= 12);
    }

    #[sqlx::test(migrations = false)]
    async fn a_pooled_connection_that_went_stale_while_idle_is_replaced_unnoticed(
        _: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let (pool, pid) = pool_with_ended_connection(Duration::ZERO, connect).await;
        // The pool's only connection is dead; the next statement gets a new one.
        assert_ne!(backend_pid(&pool).await, pid);
    }

    #[sqlx::test(migrations = false)]
    async fn connections_in_steady_use_are_not_pinged_before_each_statement(
        _: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let (pool, pid) = pool_with_ended_connection(Duration::from_secs(3600), connect).await;
        // No ping found the connection dead: the statement itself does, and fails.
        let failed = sqlx::query_scalar::<_, i32>("select 1").fetch_one(&pool).await;
        assert!(failed.is_err());
        // The broken connection is not handed out again.
        assert_ne!(backend_pid(&pool).await, pid);
    }
}
