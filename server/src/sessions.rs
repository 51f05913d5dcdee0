//! The console's session store: tower-sessions' Postgres store (its table, its encoding), except
//! that a new session is created in one statement. The store's own `create` takes four round
//! trips (begin, a lookup of the new ID, an upsert, commit) on every sign-in, and two sign-ins
//! that drew the same ID at once could still both pass the lookup and one overwrite the other;
//! an insert that does nothing on a taken ID, retried with a fresh ID, cannot.
//!
//! The session of a sign-in carries what the sign-in's success writes (`SignInSuccess`, put in
//! its data by the console): the store takes it out of the data and records it in the statement
//! that inserts the session, so a sign-in makes one write, and is recorded exactly when its
//! session is stored.

use async_trait::async_trait;
use gatehouse_iam::{Iam, NewSession, SignInSuccess};
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::PostgresStore;

/// Sessions in Postgres, in the table `tower_sessions.session`.
#[derive(Clone)]
pub struct Sessions {
    store: PostgresStore,
    iam: Iam,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl Sessions {
    /// The store on the database of `iam`, with its table made if it does not exist yet.
    pub async fn open(iam: Iam) -> sqlx::Result<Self> {
        let store = PostgresStore::new(iam.pool().clone());
        store.migrate().await?;
        Ok(Self { store, iam })
    }

    fn pool(&self) -> &PgPool {
        self.iam.pool()
    }
}

/// Takes the sign-in's success out of a session's data, if the session carries one: it is for
/// the store to record, never to be stored with the session.
fn take_sign_in_success(record: &mut Record) -> session_store::Result<Option<SignInSuccess>> {
    record
        .data
        .remove(SignInSuccess::SESSION_KEY)
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| session_store::Error::Decode(e.to_string()))
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
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
        let success = take_sign_in_success(record)?;
        loop {
            // The same encoding as the store's, which loads and saves these rows later.
            let data = rmp_serde::to_vec(&record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
            let inserted = match &success {
                // Committed as every recorded sign-in is, waiting for the disk.
                Some(success) => self
                    .iam
                    .record_sign_in_with_session(
                        success,
                        NewSession {
                            id: &record.id.to_string(),
                            data: &data,
                            expiry_date: record.expiry_date,
                        },
                    )
                    .await
                    .map_err(backend)?,
                // Committed without waiting for the disk (synchronous_commit off for this
                // statement's transaction alone): a session lost to a crash only means signing
                // in again, and the wait would hold the request for a WAL flush. Ending a session
                // (sign-out, the store's delete) still waits.
                None => {
                    sqlx::query(
                        "insert into tower_sessions.session (id, data, expiry_date)
                         select $1, $2, $3 where set_config('synchronous_commit', 'off', true) is not null
                         on conflict (id) do nothing",
                    )
                    .bind(record.id.to_string())
                    .bind(data)
                    .bind(record.expiry_date)
                    .execute(self.pool())
                    .await
                    .map_err(backend)?
                    .rows_affected()
                        == 1
                }
            };
            if inserted {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // A session is new at every sign-in step (the console renews its ID), so its success
        // comes with `create`; should one ever come with an existing session, it is recorded
        // on its own first.
        if record.data.contains_key(SignInSuccess::SESSION_KEY) {
            let mut record = record.clone();
            if let Some(success) = take_sign_in_success(&mut record)? {
                self.iam.record_sign_in(success).await.map_err(backend)?;
            }
            return self.store.save(&record).await;
        }
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
    use gatehouse_iam::{Actor, HashCost, IamConfig, NewAccount, RequestMeta, SystemClock};
    use secrecy::SecretString;
    use std::sync::Arc;
    use time::{Duration, OffsetDateTime};

    fn record(id: Id, who: &str) -> Record {
        Record {
            id,
            data: [("who".to_owned(), serde_json::json!(who))].into_iter().collect(),
            expiry_date: OffsetDateTime::now_utc() + Duration::hours(1),
        }
    }

    async fn open(pool: PgPool) -> Sessions {
        let config = IamConfig {
            hash_cost: HashCost::FOR_TESTS,
            ..IamConfig::default()
        };
        let iam = Iam::new(pool, config, Arc::new(SystemClock)).unwrap();
        Sessions::open(iam).await.unwrap()
    }

    /// A new session carrying a root user's sign-in, as the console's sign-in makes it.
    async fn signed_in_record(sessions: &Sessions, id: Id) -> Record {
        let password = SecretString::from("root password 123".to_owned());
        let meta = RequestMeta {
            source_ip: Some("192.0.2.7".to_owned()),
            ..RequestMeta::default()
        };
        sessions
            .iam
            .create_account(
                &Actor::Operator,
                NewAccount {
                    alias: None,
                    root_email: "root@acme.example".parse().unwrap(),
                    root_password: password.clone(),
                },
                &meta,
            )
            .await
            .unwrap();
        let (_, success) = sessions
            .iam
            .sign_in_root_deferred("root@acme.example", &password, &meta)
            .await
            .unwrap();
        let mut r = record(id, "root");
        r.data.insert(
            SignInSuccess::SESSION_KEY.to_owned(),
            serde_json::to_value(success.unwrap()).unwrap(),
        );
        r
    }

    async fn count(sessions: &Sessions, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(sessions.pool()).await.unwrap()
    }

    const SIGN_INS: &str =
        "select count(*) from events where event_name = 'ConsoleLogin' and outcome = 'success'";

    #[sqlx::test(migrations = false)]
    async fn a_new_session_never_takes_the_id_of_an_existing_one(pool: PgPool) {
        let sessions = open(pool).await;
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
        let sessions = open(pool.clone()).await;
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
        let sessions = open(pool).await;
        let mut r = record(Id::default(), "someone");
        sessions.create(&mut r).await.unwrap();
        r.data.insert("who".to_owned(), serde_json::json!("someone else"));
        sessions.save(&r).await.unwrap();
        let loaded = sessions.load(&r.id).await.unwrap().unwrap();
        assert_eq!(loaded.data["who"], "someone else");
        sessions.delete(&r.id).await.unwrap();
        assert!(sessions.load(&r.id).await.unwrap().is_none());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_sign_in_is_recorded_with_its_new_session_and_never_stored_in_it(pool: PgPool) {
        let sessions = open(pool).await;
        let mut r = signed_in_record(&sessions, Id::default()).await;
        assert_eq!(
            count(&sessions, SIGN_INS).await,
            0,
            "a deferred sign-in writes nothing"
        );
        sqlx::query("update root_users set failed_sign_ins = 3")
            .execute(sessions.pool())
            .await
            .unwrap();
        sessions.create(&mut r).await.unwrap();
        let stored = sessions.load(&r.id).await.unwrap().unwrap();
        assert_eq!(stored.data["who"], "root");
        assert!(!stored.data.contains_key(SignInSuccess::SESSION_KEY));
        assert_eq!(count(&sessions, SIGN_INS).await, 1);
        assert_eq!(
            count(
                &sessions,
                "select count(*) from events where event_name = 'ConsoleLogin' and source_ip = '192.0.2.7'
                   and request->>'mfaUsed' = 'false' and actor_arn like 'arn:aws:iam::%:root'"
            )
            .await,
            1
        );
        assert_eq!(
            count(
                &sessions,
                "select count(*) from root_users where failed_sign_ins = 0 and password_last_used is not null"
            )
            .await,
            1,
            "the failure counter starts again and the password's last use is recorded"
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_sign_in_whose_session_id_is_taken_is_recorded_once_under_a_new_id(pool: PgPool) {
        let sessions = open(pool).await;
        let mut first = record(Id::default(), "first");
        sessions.create(&mut first).await.unwrap();
        let mut second = signed_in_record(&sessions, first.id).await;
        sessions.create(&mut second).await.unwrap();
        assert_ne!(second.id, first.id);
        assert_eq!(
            sessions.load(&first.id).await.unwrap().unwrap().data["who"],
            "first"
        );
        assert_eq!(
            sessions.load(&second.id).await.unwrap().unwrap().data["who"],
            "root"
        );
        assert_eq!(count(&sessions, SIGN_INS).await, 1);
    }

    /// The session and the sign-in are one statement: should the sign-in's record fail, the
    /// session is not stored either, and the person is not signed in.
    #[sqlx::test(migrations = "../migrations")]
    async fn a_sign_in_that_cannot_be_recorded_stores_no_session(pool: PgPool) {
        let sessions = open(pool).await;
        let mut r = signed_in_record(&sessions, Id::default()).await;
        sqlx::query("alter table events add constraint refuse_new_events check (false) not valid")
            .execute(sessions.pool())
            .await
            .unwrap();
        assert!(sessions.create(&mut r).await.is_err());
        assert_eq!(
            count(&sessions, "select count(*) from tower_sessions.session").await,
            0
        );
        assert_eq!(
            count(
                &sessions,
                "select count(*) from root_users where password_last_used is not null"
            )
            .await,
            0
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_sign_in_in_an_existing_session_is_recorded_and_not_stored(pool: PgPool) {
        let sessions = open(pool).await;
        let mut r = record(Id::default(), "before");
        sessions.create(&mut r).await.unwrap();
        let mut signed_in = signed_in_record(&sessions, r.id).await;
        signed_in.id = r.id;
        sessions.save(&signed_in).await.unwrap();
        let stored = sessions.load(&r.id).await.unwrap().unwrap();
        assert_eq!(stored.data["who"], "root");
        assert!(!stored.data.contains_key(SignInSuccess::SESSION_KEY));
        assert_eq!(count(&sessions, SIGN_INS).await, 1);
    }
}
