//! After the flood: Quill's SQLite stores are whole and hold exactly what the answers
//! said was made.

use std::fmt;
use std::path::Path;

use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection, sql_query};

use super::Tally;

#[derive(QueryableByName)]
struct Integrity {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// What the stores hold, beside what the answers said.
pub struct Stores {
    accounts_integrity: String,
    posts_integrity: String,
    users: usize,
    users_answered: usize,
    users_unanswered: Vec<String>,
    users_missing: Vec<String>,
    users_without_hash: i64,
    posts: usize,
    posts_answered: usize,
    posts_unanswered: Vec<String>,
    posts_missing: Vec<String>,
    posts_half_written: i64,
}

impl Stores {
    pub fn ok(&self) -> bool {
        self.accounts_integrity == "ok"
            && self.posts_integrity == "ok"
            && self.users_unanswered.is_empty()
            && self.users_missing.is_empty()
            && self.users_without_hash == 0
            && self.posts_unanswered.is_empty()
            && self.posts_missing.is_empty()
            && self.posts_half_written == 0
    }
}

impl fmt::Display for Stores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "stores: accounts.sqlite3 integrity_check {}, posts.sqlite3 integrity_check {}",
            self.accounts_integrity, self.posts_integrity
        )?;
        writeln!(
            f,
            "  users: {} stored, {} made by the answers; {} stored unanswered {:?}, {} answered missing {:?}, {} without an argon2id hash",
            self.users,
            self.users_answered,
            self.users_unanswered.len(),
            first(&self.users_unanswered),
            self.users_missing.len(),
            first(&self.users_missing),
            self.users_without_hash
        )?;
        write!(
            f,
            "  posts: {} stored, {} made by the answers; {} stored unanswered {:?}, {} answered missing {:?}, {} without a title or body",
            self.posts,
            self.posts_answered,
            self.posts_unanswered.len(),
            first(&self.posts_unanswered),
            self.posts_missing.len(),
            first(&self.posts_missing),
            self.posts_half_written
        )
    }
}

fn first(names: &[String]) -> &[String] {
    &names[..names.len().min(5)]
}

fn open(path: &Path) -> anyhow::Result<SqliteConnection> {
    let url = path
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("{} is not UTF-8", path.display()))?;
    Ok(SqliteConnection::establish(url)?)
}

fn integrity(conn: &mut SqliteConnection) -> anyhow::Result<String> {
    let rows = sql_query("PRAGMA integrity_check").load::<Integrity>(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| r.integrity_check)
        .collect::<Vec<_>>()
        .join("; "))
}

fn count(conn: &mut SqliteConnection, query: &str) -> anyhow::Result<i64> {
    Ok(sql_query(query).get_result::<Count>(conn)?.n)
}

fn names(conn: &mut SqliteConnection, query: &str) -> anyhow::Result<Vec<String>> {
    Ok(sql_query(query)
        .load::<Name>(conn)?
        .into_iter()
        .map(|r| r.name)
        .collect())
}

/// The elements of `a` that `b` lacks.
fn minus(a: &[String], b: &std::collections::BTreeSet<String>) -> Vec<String> {
    a.iter().filter(|x| !b.contains(*x)).cloned().collect()
}

pub fn check(data_dir: &Path, tally: &Tally) -> anyhow::Result<Stores> {
    let mut accounts = open(&data_dir.join("accounts.sqlite3"))?;
    let accounts_integrity = integrity(&mut accounts)?;
    let usernames = names(&mut accounts, "SELECT username AS name FROM users")?;
    let users_without_hash = count(
        &mut accounts,
        "SELECT count(*) AS n FROM users WHERE password_hash NOT LIKE '$argon2id$%' OR username = ''",
    )?;

    let mut posts = open(&data_dir.join("posts.sqlite3"))?;
    let posts_integrity = integrity(&mut posts)?;
    // The ids as the redirects write them: hyphenated lowercase UUIDs.
    let ids = names(
        &mut posts,
        "SELECT lower(substr(hex(post_id), 1, 8) || '-' || substr(hex(post_id), 9, 4) || '-' || \
         substr(hex(post_id), 13, 4) || '-' || substr(hex(post_id), 17, 4) || '-' || \
         substr(hex(post_id), 21)) AS name FROM posts_by_user",
    )?;
    let posts_half_written = count(
        &mut posts,
        "SELECT count(*) AS n FROM posts_by_user WHERE trim(title) = '' OR body = ''",
    )?;

    let stored_users = usernames.iter().cloned().collect();
    let stored_posts = ids.iter().cloned().collect();
    let answered_users: Vec<String> = tally.users.iter().cloned().collect();
    let answered_posts: Vec<String> = tally.posts.iter().cloned().collect();
    Ok(Stores {
        accounts_integrity,
        posts_integrity,
        users: usernames.len(),
        users_answered: tally.users.len(),
        users_unanswered: minus(&usernames, &tally.users),
        users_missing: minus(&answered_users, &stored_users),
        users_without_hash,
        posts: ids.len(),
        posts_answered: tally.posts.len(),
        posts_unanswered: minus(&ids, &tally.posts),
        posts_missing: minus(&answered_posts, &stored_posts),
        posts_half_written,
    })
}
