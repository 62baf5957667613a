//! The PostStore contract: one suite every backend must pass. It runs against the
//! embedded backend here; the Cassandra backend joins when it lands.

mod suite;

use quill_posts::EmbeddedPostStore;
use quill_sql::PoolSize;

fn embedded() -> (EmbeddedPostStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let pool = PoolSize {
        connections: 4,
        checkout_timeout: std::time::Duration::from_secs(5),
    };
    (
        EmbeddedPostStore::open(dir.path(), pool).expect("store"),
        dir,
    )
}

macro_rules! embedded_contract {
    ($($case:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test]
                async fn $case() {
                    let (store, _dir) = super::embedded();
                    super::suite::$case(&store).await;
                }
            )*
        }
    };
}

embedded_contract!(
    a_post_reads_back_by_its_author_only,
    inserting_an_existing_id_changes_nothing,
    a_timeline_pages_newest_first_across_months,
    a_timeline_stays_within_its_months,
    timelines_never_mix_users,
    posts_of_one_tick_are_all_listed_once,
);
