//! The contract cases, generic over the backend.

use quill_domain::{Month, PostBody, PostId, PostTitle, UserId};
use quill_posts::{InsertOutcome, NewPost, PageQuery, PostStore};
use uuid::{Timestamp, Uuid};

const UNIX_TO_GREGORIAN_TICKS: u64 = 0x01B2_1DD2_1381_4000;
const ALICE: UserId = UserId(1);
const BOB: UserId = UserId(2);

/// A post id at `unix_secs`, `tick` 100 ns intervals later, from node `node`.
fn id_at(unix_secs: u64, tick: u64, node: u8) -> PostId {
    let ticks = UNIX_TO_GREGORIAN_TICKS + unix_secs * 10_000_000 + tick;
    let uuid = Uuid::new_v1(
        Timestamp::from_gregorian_time(ticks, 0),
        &[node, 0, 0, 0, 0, 1],
    );
    PostId::from_uuid(uuid).expect("v1")
}

fn post(user: UserId, id: PostId, title: &str) -> NewPost {
    NewPost {
        id,
        key: None,
        user,
        title: PostTitle::parse(title).expect("title"),
        body: PostBody::parse(&format!("body of {title}")).expect("body"),
    }
}

fn month(yyyymm: i32) -> Month {
    Month::from_yyyymm(yyyymm).expect("month")
}

/// Every month the cases write in (2026) and a year either side: a timeline walks
/// its months one by one, and a real one spans the months since sign-up, not centuries.
fn everything(limit: usize) -> PageQuery {
    PageQuery {
        before: None,
        limit,
        newest: month(202712),
        oldest: month(202501),
    }
}

/// Stores Alice's post `p{i}` under each `(i, id)`, in the order given.
async fn insert_numbered(store: &impl PostStore, posts: impl IntoIterator<Item = (usize, PostId)>) {
    for (i, id) in posts {
        store
            .insert(post(ALICE, id, &format!("p{i}")))
            .await
            .expect("insert");
    }
}

/// Alice's whole timeline, page by page of at most `limit` posts: the ids as listed.
async fn every_page(store: &impl PostStore, limit: usize) -> Vec<PostId> {
    let mut seen = Vec::new();
    let mut query = everything(limit);
    loop {
        let page = store.list(ALICE, query).await.expect("list");
        assert!(page.posts.len() <= limit);
        seen.extend(page.posts.iter().map(|p| p.id));
        match page.next {
            Some(next) => query.before = Some(next),
            None => return seen,
        }
    }
}

// 2026-01-31T23:59:59Z, 2026-02-01T00:00:00Z, 2026-03-15T12:00:00Z
const JAN_31_LAST_SECOND: u64 = 1_769_903_999;
const FEB_1: u64 = 1_769_904_000;
const MAR_15: u64 = 1_773_576_000;

pub async fn a_post_reads_back_by_its_author_only(store: &impl PostStore) {
    let id = id_at(FEB_1, 0, 1);
    assert_eq!(
        store
            .insert(post(ALICE, id, "hello"))
            .await
            .expect("insert"),
        InsertOutcome::Created(id)
    );
    let read = store.get(ALICE, id).await.expect("get").expect("found");
    assert_eq!(
        (read.id, read.user, read.title.as_str(), read.body.as_str()),
        (id, ALICE, "hello", "body of hello")
    );
    assert_eq!(store.get(BOB, id).await.expect("get"), None);
    assert_eq!(
        store.get(ALICE, id_at(FEB_1, 1, 1)).await.expect("get"),
        None
    );
}

pub async fn inserting_an_existing_id_changes_nothing(store: &impl PostStore) {
    let id = id_at(FEB_1, 0, 1);
    store
        .insert(post(ALICE, id, "original"))
        .await
        .expect("insert");
    let again = store
        .insert(post(ALICE, id, "overwrite attempt"))
        .await
        .expect("insert");
    assert_eq!(again, InsertOutcome::AlreadyExists(id));
    let stored = store.get(ALICE, id).await.expect("get").expect("found");
    assert_eq!(stored.title, "original");
    assert_eq!(
        store
            .list(ALICE, everything(10))
            .await
            .expect("list")
            .posts
            .len(),
        1
    );
}

pub async fn a_timeline_pages_newest_first_across_months(store: &impl PostStore) {
    let ids = [
        id_at(JAN_31_LAST_SECOND, 0, 1),
        id_at(FEB_1, 0, 1),
        id_at(FEB_1, 5, 1),
        id_at(MAR_15, 0, 1),
        id_at(MAR_15 + 1, 0, 1),
    ];
    // Insert out of order: the store, not the insert order, decides the order.
    insert_numbered(store, ids.iter().copied().enumerate().rev()).await;
    let newest_first: Vec<PostId> = ids.iter().rev().copied().collect();
    assert_eq!(every_page(store, 2).await, newest_first);
}

pub async fn a_timeline_stays_within_its_months(store: &impl PostStore) {
    let ids = [
        id_at(JAN_31_LAST_SECOND, 0, 1),
        id_at(FEB_1, 0, 1),
        id_at(MAR_15, 0, 1),
    ];
    insert_numbered(store, ids.into_iter().enumerate()).await;
    let february_only = PageQuery {
        before: None,
        limit: 10,
        newest: month(202602),
        oldest: month(202602),
    };
    let titles: Vec<String> = store
        .list(ALICE, february_only)
        .await
        .expect("list")
        .posts
        .into_iter()
        .map(|p| p.title)
        .collect();
    assert_eq!(titles, ["p1"]);
}

pub async fn timelines_never_mix_users(store: &impl PostStore) {
    store
        .insert(post(ALICE, id_at(FEB_1, 0, 1), "alice's"))
        .await
        .expect("insert");
    store
        .insert(post(BOB, id_at(FEB_1, 1, 1), "bob's"))
        .await
        .expect("insert");
    let alice = store.list(ALICE, everything(10)).await.expect("list").posts;
    assert_eq!(
        alice.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(),
        ["alice's"]
    );
    assert!(alice.iter().all(|p| p.user == ALICE));
}

pub async fn posts_of_one_tick_are_all_listed_once(store: &impl PostStore) {
    let same_tick: Vec<PostId> = (1..=4).map(|node| id_at(FEB_1, 0, node)).collect();
    insert_numbered(store, same_tick.iter().copied().enumerate()).await;
    let mut seen = every_page(store, 1).await;
    seen.sort();
    let mut expected = same_tick;
    expected.sort();
    assert_eq!(seen, expected);
}

/// More posts in one month than a driver page holds: every one is listed once, in order.
pub async fn a_long_month_is_read_page_by_page(store: &impl PostStore) {
    let ids: Vec<PostId> = (0..250).map(|i| id_at(FEB_1, i * 10, 1)).collect();
    insert_numbered(store, ids.iter().copied().enumerate()).await;
    let first = store.list(ALICE, everything(240)).await.expect("list");
    assert_eq!(first.posts.len(), 240);
    let rest = store
        .list(
            ALICE,
            PageQuery {
                before: first.next,
                ..everything(240)
            },
        )
        .await
        .expect("list");
    assert_eq!(rest.next, None);
    let seen: Vec<PostId> = first
        .posts
        .iter()
        .chain(&rest.posts)
        .map(|p| p.id)
        .collect();
    let newest_first: Vec<PostId> = ids.iter().rev().copied().collect();
    assert_eq!(seen, newest_first);
}

/// A post sent again under its key (a double click, a retry, nginx failing over) is the
/// post the first send made: its id and words, stored once, whatever the resend says.
pub async fn a_key_stores_one_post_however_often_it_is_sent(store: &impl PostStore) {
    let key = Uuid::from_u128(0x5eed);
    let keyed = |id, title| NewPost {
        key: Some(key),
        ..post(ALICE, id, title)
    };
    let first = id_at(FEB_1, 0, 1);
    assert_eq!(
        store.insert(keyed(first, "first")).await.expect("insert"),
        InsertOutcome::Created(first)
    );
    // Sent again an hour later, in another month even: given a newer id, it finds the
    // first one.
    for later in [id_at(FEB_1 + 3600, 0, 2), id_at(MAR_15, 0, 3)] {
        assert_eq!(
            store.insert(keyed(later, "resent")).await.expect("insert"),
            InsertOutcome::AlreadyExists(first)
        );
        assert_eq!(store.get(ALICE, later).await.expect("get"), None);
    }
    let posts = store.list(ALICE, everything(10)).await.expect("list").posts;
    assert_eq!(
        posts
            .iter()
            .map(|p| (p.id, p.title.as_str()))
            .collect::<Vec<_>>(),
        [(first, "first")]
    );
}

/// Keys are each user's own, and each key makes its own post.
pub async fn keys_are_per_user_and_each_makes_its_own_post(store: &impl PostStore) {
    let key = Uuid::from_u128(0x5eed);
    let (alices, bobs, other) = (id_at(FEB_1, 0, 1), id_at(FEB_1, 1, 1), id_at(FEB_1, 2, 1));
    for (user, id, key) in [
        (ALICE, alices, key),
        (BOB, bobs, key),
        (ALICE, other, Uuid::from_u128(0xf00d)),
    ] {
        let new = NewPost {
            key: Some(key),
            ..post(user, id, "mine")
        };
        assert_eq!(
            store.insert(new).await.expect("insert"),
            InsertOutcome::Created(id)
        );
    }
    assert_eq!(every_page(store, 10).await, [other, alices]);
    assert_eq!(
        store.get(BOB, bobs).await.expect("get").map(|p| p.id),
        Some(bobs)
    );
}

/// An account's deletion takes every post of theirs, in every month since sign-up, and
/// nobody else's.
pub async fn deleting_a_user_removes_all_their_posts_and_no_one_elses(store: &impl PostStore) {
    let alices = [
        id_at(JAN_31_LAST_SECOND, 0, 1),
        id_at(FEB_1, 0, 1),
        id_at(MAR_15, 0, 1),
    ];
    insert_numbered(store, alices.into_iter().enumerate()).await;
    let bobs = id_at(FEB_1, 1, 1);
    store
        .insert(post(BOB, bobs, "bob's"))
        .await
        .expect("insert");
    store
        .delete_user(ALICE, month(202601), month(202603))
        .await
        .expect("delete");
    assert_eq!(every_page(store, 10).await, []);
    for id in alices {
        assert_eq!(store.get(ALICE, id).await.expect("get"), None);
    }
    let bob = store.list(BOB, everything(10)).await.expect("list").posts;
    assert_eq!(bob.iter().map(|p| p.id).collect::<Vec<_>>(), [bobs]);
}

/// A deletion cut short runs again: running it twice, or on a user without posts, does
/// no harm, and the user's later posts (a new account never gets the id) would be new.
pub async fn deleting_again_or_with_no_posts_is_harmless(store: &impl PostStore) {
    store
        .delete_user(BOB, month(202601), month(202603))
        .await
        .expect("no posts");
    insert_numbered(store, [(0, id_at(FEB_1, 0, 1))]).await;
    for _ in 0..2 {
        store
            .delete_user(ALICE, month(202601), month(202602))
            .await
            .expect("delete");
    }
    assert_eq!(every_page(store, 10).await, []);
}
