//! Connections kept ready for the statements of a sign-in.
//!
//! sqlx's pool takes a connection back only after a round trip to Postgres (a Sync, answered by
//! ReadyForQuery) that proves the connection still works and flushes whatever a cancelled
//! statement left behind. A user's sign-in runs two statements, the facts before the password
//! hash and the record with its session after it, while the hashing threads keep every core
//! busy, so each of those round trips wakes Postgres and then the server once more on a busy
//! core: 0.1 ms of CPU, six context switches and two rescheduling interrupts per sign-in
//! (docs/performance.md, ninth session).
//!
//! So a sign-in's statement takes a connection held here, and a connection whose statement ran
//! to its end (with its rows, or with an error from Postgres, after which the connection is
//! ready for the next one) comes straight back, untested. One whose statement was cancelled or
//! failed on the connection itself goes back to the pool, which tests it as always. Nothing is
//! held for long: a connection unused for `HOLD_IDLE` goes back to the pool, so the rest of the
//! server gets it back, and the pool can close, as soon as sign-ins pause; and at most a quarter
//! of the pool is ever held here.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres};

/// How long a held connection may wait for the next sign-in statement.
const HOLD_IDLE: Duration = Duration::from_millis(100);

pub(crate) struct ReadyConnections {
    pool: PgPool,
    /// At most this many are held: a quarter of the pool.
    most: usize,
    /// `HOLD_IDLE`, but for tests that count what is held at a slower pace.
    hold_idle: Duration,
    state: Mutex<Held>,
}

#[derive(Default)]
struct Held {
    /// Oldest first: a statement takes the one used last.
    connections: Vec<(PoolConnection<Postgres>, Instant)>,
    /// Whether a task is on its way to give back the connections left unused.
    releasing: bool,
}

impl ReadyConnections {
    pub(crate) fn new(pool: PgPool) -> Arc<Self> {
        Self::holding_for(pool, HOLD_IDLE)
    }

    fn holding_for(pool: PgPool, hold_idle: Duration) -> Arc<Self> {
        let most = usize::try_from(pool.options().get_max_connections() / 4).unwrap_or(0);
        Arc::new(Self {
            pool,
            most,
            hold_idle,
            state: Mutex::new(Held::default()),
        })
    }

    /// Runs one statement on a held connection, or one from the pool, and holds the connection
    /// afterwards if the statement ran to its end.
    pub(crate) async fn run<T>(
        self: &Arc<Self>,
        statement: impl AsyncFnOnce(&mut PgConnection) -> sqlx::Result<T>,
    ) -> sqlx::Result<T> {
        let held = self.state().connections.pop();
        let mut conn = match held {
            Some((conn, _)) => conn,
            None => self.pool.acquire().await?,
        };
        let result = statement(&mut conn).await;
        // After a database error Postgres has answered in full, as after rows; any other error
        // (the socket, the protocol) leaves the connection to the pool's test.
        if matches!(
            result,
            Ok(_) | Err(sqlx::Error::Database(_) | sqlx::Error::RowNotFound)
        ) {
            self.hold(conn);
        }
        result
    }

    fn state(&self) -> MutexGuard<'_, Held> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn hold(self: &Arc<Self>, conn: PoolConnection<Postgres>) {
        let mut state = self.state();
        if state.connections.len() >= self.most || self.pool.is_closed() {
            drop(state);
            drop(conn);
            return;
        }
        state.connections.push((conn, Instant::now()));
        if !state.releasing {
            state.releasing = true;
            tokio::spawn(release_unused(Arc::downgrade(self), self.hold_idle));
        }
    }
}

/// Gives the pool back every connection held unused for `HOLD_IDLE`, until none is held (or the
/// connections are dropped with their owner).
async fn release_unused(ready: Weak<ReadyConnections>, hold_idle: Duration) {
    loop {
        tokio::time::sleep(hold_idle).await;
        let Some(ready) = ready.upgrade() else { return };
        let mut state = ready.state();
        let now = Instant::now();
        let unused = state
            .connections
            .partition_point(|(_, since)| now.duration_since(*since) >= hold_idle);
        let released: Vec<_> = state.connections.drain(..unused).collect();
        let done = state.connections.is_empty();
        state.releasing = !done;
        drop(state);
        drop(released);
        if done {
            return;
        }
    }
}

impl Drop for ReadyConnections {
    fn drop(&mut self) {
        // A pooled connection goes back to the pool through a task; with no runtime left to run
        // it, the connection is let go of (and closes) instead.
        if tokio::runtime::Handle::try_current().is_err() {
            let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
            for (conn, _) in state.connections.drain(..) {
                drop(conn.detach());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

    /// A pool of `size` connections, and ready connections over it that hold a connection for a
    /// minute, so that what a test counts is not given back meanwhile on a slow machine.
    async fn ready(
        size: u32,
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) -> (PgPool, Arc<ReadyConnections>) {
        let pool = options.max_connections(size).connect_with(connect).await.unwrap();
        (
            pool.clone(),
            ReadyConnections::holding_for(pool, Duration::from_secs(60)),
        )
    }

    /// Runs a statement that answers one integer.
    async fn scalar(ready: &Arc<ReadyConnections>, sql: &'static str) -> sqlx::Result<i32> {
        ready
            .run(async |conn| sqlx::query_scalar(sql).fetch_one(conn).await)
            .await
    }

    async fn backend_pid(ready: &Arc<ReadyConnections>) -> i32 {
        scalar(ready, "select pg_backend_pid()").await.unwrap()
    }

    #[sqlx::test(migrations = false)]
    async fn the_next_statement_takes_the_connection_the_last_one_finished_with(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let (pool, ready) = ready(4, options, connect).await;
        let pid = backend_pid(&ready).await;
        assert_eq!(
            ready.state().connections.len(),
            1,
            "held, not given back to the pool"
        );
        assert_eq!(pool.num_idle(), 0);
        assert_eq!(backend_pid(&ready).await, pid);
    }

    #[sqlx::test(migrations = false)]
    async fn a_connection_is_held_again_after_an_error_from_postgres_and_works(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let (_, ready) = ready(4, options, connect).await;
        let pid = backend_pid(&ready).await;
        let failed = scalar(&ready, "select 1 / 0").await;
        assert!(matches!(failed, Err(sqlx::Error::Database(_))), "{failed:?}");
        assert_eq!(ready.state().connections.len(), 1);
        assert_eq!(backend_pid(&ready).await, pid);
        assert_eq!(scalar(&ready, "select 1 + 1").await.unwrap(), 2);
    }

    #[sqlx::test(migrations = false)]
    async fn a_cancelled_statement_leaves_its_connection_to_the_pool(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let (_, ready) = ready(4, options, connect).await;
        let slow = ready.run(async |conn| sqlx::query("select pg_sleep(2)").execute(conn).await);
        assert!(tokio::time::timeout(Duration::from_millis(100), slow)
            .await
            .is_err());
        assert!(ready.state().connections.is_empty(), "not held");
        // The pool tested it, waiting for the cancelled statement's answer, and it works.
        assert_eq!(scalar(&ready, "select 3").await.unwrap(), 3);
    }

    #[sqlx::test(migrations = false)]
    async fn connections_left_unused_go_back_to_the_pool_so_it_can_close(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let pool = options.max_connections(4).connect_with(connect).await.unwrap();
        let ready = ReadyConnections::new(pool.clone());
        backend_pid(&ready).await;
        tokio::time::sleep(HOLD_IDLE * 4).await;
        assert!(ready.state().connections.is_empty());
        assert!(!ready.state().releasing);
        assert_eq!(pool.num_idle(), 1);
        // Even with `ready` alive, as a running server keeps it.
        tokio::time::timeout(Duration::from_secs(5), pool.close())
            .await
            .expect("the pool closes");
    }

    #[sqlx::test(migrations = false)]
    async fn a_pool_of_fewer_than_four_connections_is_never_held_from(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let (_, ready) = ready(3, options, connect).await;
        backend_pid(&ready).await;
        assert!(ready.state().connections.is_empty());
    }

    #[sqlx::test(migrations = false)]
    async fn at_most_a_quarter_of_the_pool_is_held(options: PgPoolOptions, connect: PgConnectOptions) {
        let (_, ready) = ready(8, options, connect).await;
        // Five statements at once, each on a connection of its own.
        let statements: Vec<_> = (0..5)
            .map(|_| {
                let ready = ready.clone();
                tokio::spawn(async move {
                    ready
                        .run(async |conn| sqlx::query("select pg_sleep(0.2)").execute(conn).await)
                        .await
                })
            })
            .collect();
        for statement in statements {
            statement.await.unwrap().unwrap();
        }
        assert_eq!(ready.state().connections.len(), 2);
    }
}
