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

diesel::table! {
    post_keys (user_id, key) {
        user_id -> BigInt,
        key -> Binary,
        post_id -> Binary,
        created_at -> BigInt,
    }
}
