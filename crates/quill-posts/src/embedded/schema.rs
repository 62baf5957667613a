//! diesel's view of the embedded store's table.

diesel::table! {
    posts_by_user (user_id, month, ts, post_id) {
        user_id -> BigInt,
        month -> Integer,
        ts -> BigInt,
        post_id -> Binary,
        title -> Text,
        body -> Text,
    }
}
