//! What a [`TestApp`]'s embedded stores hold, read directly from its data directory.

use quill_accounts::{AccountsError, PoolSize};
use quill_accounts::{Db, User};
use quill_domain::{Month, UserId, Username};
use quill_posts::{EmbeddedPostStore, PageQuery, Post, PostStore};

use super::TestApp;

impl TestApp {
    /// The accounts database (SQLite in the data directory).
    pub fn accounts_db(&self) -> Db {
        Db::open_sqlite(self.data_dir(), pool()).expect("accounts db")
    }

    /// Looks a user up in the accounts database directly.
    pub async fn stored_user(&self, username: &str) -> Option<User> {
        let username = Username::parse(username).expect("valid username");
        self.accounts_db()
            .read(move |conn| {
                let id = quill_accounts::users::find_by_name(conn, &username)?;
                Ok::<_, AccountsError>(id)
            })
            .await
            .expect("user lookup")
    }

    pub async fn user_count(&self) -> i64 {
        self.accounts_db()
            .read(|conn| Ok::<_, AccountsError>(quill_accounts::users::count(conn)?))
            .await
            .expect("count users")
    }

    pub async fn session_count(&self, user: UserId) -> i64 {
        self.accounts_db()
            .read(move |conn| {
                Ok::<_, AccountsError>(quill_accounts::sessions::count_for_user(conn, user)?)
            })
            .await
            .expect("count sessions")
    }

    /// Every stored post of a user, newest first, read from the post store itself.
    pub async fn stored_posts(&self, user: UserId) -> Vec<Post> {
        let store = EmbeddedPostStore::open(self.data_dir(), pool()).expect("post store");
        let query = PageQuery {
            before: None,
            limit: 10_000,
            newest: Month::from_yyyymm(999_912).expect("month"),
            oldest: Month::from_yyyymm(197_001).expect("month"),
        };
        store.list(user, query).await.expect("list").posts
    }
}

fn pool() -> PoolSize {
    PoolSize {
        connections: 1,
        checkout_timeout: std::time::Duration::from_secs(5),
    }
}
