//! The token a "new post" form (or `POST /api/v1/post-tokens`) carries: a time-based id,
//! signed for its author, that is the post's key, not its id.
//!
//! The post gets its id when it is published; the store records which post the key
//! made, so submitting the same form twice stores one post: the second send finds the
//! first one's (`quill_posts::NewPost::key`). Tokens are good for a day (the store keeps
//! keys a little longer); a form with an expired or forged one comes back unpublished
//! with a fresh token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use quill_domain::{PostId, UserId};

use crate::secrets::MacKey;

/// How long a form's token keeps double submits together.
const LIFETIME_MICROS: i64 = 24 * 3600 * 1_000_000;
/// Clock skew tolerated between instances behind one load balancer.
const SKEW_MICROS: i64 = 5 * 60 * 1_000_000;

pub fn issue(key: &MacKey, user: UserId, id: PostId) -> String {
    let signature = key.sign(&[&user.0.to_be_bytes(), id.as_uuid().as_bytes()]);
    format!("{id}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The key a token carries, if it was issued to `user` and has not expired.
pub fn redeem(key: &MacKey, user: UserId, token: &str, now_micros: i64) -> Option<PostId> {
    let (id, signature) = token.trim().split_once('.')?;
    let id = PostId::parse(id).ok()?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let age = now_micros - id.created_at_micros();
    (key.verify(
        &[&user.0.to_be_bytes(), id.as_uuid().as_bytes()],
        &signature,
    ) && (-SKEW_MICROS..LIFETIME_MICROS).contains(&age))
    .then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_remembers_a_key_as_long_as_its_token_lives() {
        let kept = i64::try_from(quill_posts::KEY_LIFETIME.as_micros()).expect("fits");
        assert!(LIFETIME_MICROS + SKEW_MICROS <= kept);
    }
    use crate::secrets::Secrets;

    fn key() -> MacKey {
        let dir = tempfile::tempdir().expect("tempdir");
        Secrets::load_or_create(dir.path())
            .expect("secrets")
            .post_token
    }

    #[test]
    fn a_token_gives_back_its_id_to_its_user_only() {
        let key = key();
        let id = PostId::new_now(&[1; 6]);
        let token = issue(&key, UserId(7), id);
        let now = id.created_at_micros() + 1_000_000;
        assert_eq!(redeem(&key, UserId(7), &token, now), Some(id));
        assert_eq!(redeem(&key, UserId(8), &token, now), None);
    }

    #[test]
    fn forged_and_expired_tokens_give_nothing() {
        let key = key();
        let id = PostId::new_now(&[1; 6]);
        let other = PostId::new_now(&[1; 6]);
        let token = issue(&key, UserId(7), id);
        let forged = token.replace(&id.to_string(), &other.to_string());
        let now = id.created_at_micros();
        assert_eq!(redeem(&key, UserId(7), &forged, now), None);
        assert_eq!(redeem(&key, UserId(7), &token, now + LIFETIME_MICROS), None);
        assert_eq!(redeem(&key, UserId(7), "", now), None);
        assert_eq!(redeem(&key, UserId(7), "garbage.token", now), None);
    }
}
