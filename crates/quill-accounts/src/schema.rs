//! diesel's view of the accounts tables.

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        created_at -> BigInt,
        deleting_since -> Nullable<BigInt>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Nullable<BigInt>,
        state -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        last_seen_at -> BigInt,
        agent -> Nullable<Text>,
        address -> Nullable<Text>,
        api -> Bool,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, sessions, login_failures, rate_limits);

diesel::table! {
    login_failures (scope) {
        scope -> Text,
        window_start -> BigInt,
        failures -> Integer,
        last_attempt -> BigInt,
    }
}

diesel::table! {
    rate_limits (scope) {
        scope -> Text,
        window_start -> BigInt,
        window_end -> BigInt,
        requests -> Integer,
    }
}
