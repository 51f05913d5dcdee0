//! The console's session store: tower-sessions' Postgres store (its table, its encoding), except
//! that a new session is created in one statement. The store's own `create` takes four round
//! trips (begin, a lookup of the new ID, an upsert, commit) on every sign-in, and two sign-ins
//! that drew the same ID at once could still both pass the lookup and one overwrite the other;
//! an insert that does nothing on a taken ID, retried with a fresh ID, cannot.

use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::PostgresStore;

/// Sessions in Postgres, in the table `tower_sessions.session`.
#[derive(Clone, Debug)]
pub struct Sessions {
    store: PostgresStore,
    pool: PgPool,
}

impl Sessions {
    /// The store on `pool`, with its table made if it does not exist yet.
    pub async fn open(pool: PgPool) -> sqlx::Result<Self> {
        let store = PostgresStore::new(pool.clone());
        store.migrate().await?;
        Ok(Self { store, pool })
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.store.delete_expired().await
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            // The same encoding as the store's, which loads and saves these rows later.
            let data = rmp_serde::to_vec(&record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
            // Committed without waiting for the disk (synchronous_commit off for this statement's
            // transaction alone): a session lost to a crash only means signing in again, and
            // the wait would hold every sign-in for a WAL flush. Ending a session (sign-out,
            // the store's delete) still waits.
            let inserted = sqlx::query(
                "insert into tower_sessions.session (id, data, expiry_date)
                 select $1, $2, $3 where set_config('synchronous_commit', 'off', true) is not null
                 on conflict (id) do nothing",
            )
            .bind(record.id.to_string())
            .bind(data)
            .bind(record.expiry_date)
            .execute(&self.pool)
            .await
            .map_err(|e| session_store::Error::Backend(e.to_string()))?
            .rows_affected();
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store.save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.store.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.delete(id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Duration, OffsetDateTime};

    fn record(id: Id, who: &str) -> Record {
        Record {
            id,
            data: [("who".to_owned(), serde_json::json!(who))].into_iter().collect(),
            expiry_date: OffsetDateTime::now_utc() + Duration::hours(1),
        }
    }

    #[sqlx::test(migrations = false)]
    async fn a_new_session_never_takes_the_id_of_an_existing_one(pool: PgPool) {
        let sessions = Sessions::open(pool).await.unwrap();
        let mut first = record(Id::default(), "first");
        sessions.create(&mut first).await.unwrap();
        let mut second = record(first.id, "second");
        sessions.create(&mut second).await.unwrap();
        assert_ne!(second.id, first.id, "a taken ID is drawn again");
        let who = |r: Option<Record>| r.unwrap().data["who"].clone();
        assert_eq!(who(sessions.load(&first.id).await.unwrap()), "first");
        assert_eq!(who(sessions.load(&second.id).await.unwrap()), "second");
    }

    /// The session insert commits without waiting for the disk; the connection it ran on, back
    /// in the pool, must not: the setting ends with the insert's transaction.
    #[sqlx::test(migrations = false)]
    async fn creating_a_session_leaves_its_connection_committing_synchronously(
        _: sqlx::postgres::PgPoolOptions,
        connect: sqlx::postgres::PgConnectOptions,
    ) {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect_with(connect)
            .await
            .unwrap();
        let sessions = Sessions::open(pool.clone()).await.unwrap();
        let mut r = record(Id::default(), "someone");
        sessions.create(&mut r).await.unwrap();
        let (setting,): (String,) = sqlx::query_as("show synchronous_commit")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(setting, "on");
        assert!(sessions.load(&r.id).await.unwrap().is_some());
    }

    #[sqlx::test(migrations = false)]
    async fn a_created_session_is_saved_loaded_and_deleted_by_the_store(pool: PgPool) {
        let sessions = Sessions::open(pool).await.unwrap();
        let mut r = record(Id::default(), "someone");
        sessions.create(&mut r).await.unwrap();
        r.data.insert("who".to_owned(), serde_json::json!("someone else"));
        sessions.save(&r).await.unwrap();
        let loaded = sessions.load(&r.id).await.unwrap().unwrap();
        assert_eq!(loaded.data["who"], "someone else");
        sessions.delete(&r.id).await.unwrap();
        assert!(sessions.load(&r.id).await.unwrap().is_none());
    }
}
