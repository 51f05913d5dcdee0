//! Opening the database: the server named by DATABASE_URL, or the embedded private cluster.
//! Migrations run every time, before anything else touches the schema.

use anyhow::{Context, Result};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};

use crate::config::DatabaseArgs;
use crate::embedded::EmbeddedPostgres;

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
        let pool = PgPoolOptions::new()
            .max_connections(pool_size(args.db_pool_size))
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

/// The configured pool size, or twice the CPU cores and at least 4.
fn pool_size(configured: Option<u32>) -> u32 {
    configured
        .unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            u32::try_from(cores * 2).unwrap_or(u32::MAX).max(4)
        })
        .max(1)
}
