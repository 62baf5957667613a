//! Form bodies of `POST /signup`, `/login`, `/posts/new`, `/logout` and
//! `/account/password`, decoded as `web::Form` decodes them, then checked by the use
//! cases' own parsers and the CSRF and post-token checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quill_domain::{Password, PostId, UserId, Username};
use quill_fuzz::secrets;
use quill_web::parsers::{
    CsrfBinding, Draft, LoginForm, LogoutForm, NewAccount, NewPostForm, PasswordForm, SignupForm,
    csrf_token, csrf_token_matches, parse_draft, parse_new_account, redeem_post_token,
};

/// A submitted CSRF token passes only if it is the visitor's own.
fn check_csrf(submitted: &str) {
    let key = &secrets().csrf;
    let binding = CsrfBinding::Visitor("a-visitor-seed-of-43-characters-xxxxxxxxxxx".into());
    if csrf_token_matches(key, &binding, submitted) {
        assert_eq!(submitted.trim(), csrf_token(key, &binding));
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(form) = serde_urlencoded::from_bytes::<SignupForm>(data) {
        check_csrf(&form.csrf_token);
        let account = NewAccount {
            username: &form.username,
            password: &form.password,
            password_confirm: Some(&form.password_confirm),
        };
        if let Ok((username, password)) = parse_new_account(&account) {
            // What is stored is valid again, and the two passwords were alike.
            assert_eq!(Username::parse(username.as_str()), Ok(username.clone()));
            assert_eq!(password.expose(), form.password_confirm);
        }
    }
    if let Ok(form) = serde_urlencoded::from_bytes::<LoginForm>(data) {
        check_csrf(&form.csrf_token);
        let folded = Username::fold(&form.username);
        assert_eq!(Username::fold(&folded), folded);
        if let Ok(password) = Password::parse_login(&form.password) {
            assert!(password.expose().chars().count() <= Password::MAX);
        }
    }
    if let Ok(form) = serde_urlencoded::from_bytes::<NewPostForm>(data) {
        check_csrf(&form.csrf_token);
        let draft = Draft {
            title: &form.title,
            body: &form.body,
            post_token: &form.post_token,
        };
        let _ = parse_draft(&draft);
        // Nobody forges a post token: one that redeems was issued, and names its id.
        let now = quill_domain::clock::unix_micros();
        if let Some(id) = redeem_post_token(&secrets().post_token, UserId(7), &form.post_token, now)
        {
            assert_eq!(PostId::parse(&id.to_string()), Ok(id));
            assert!(form.post_token.trim().starts_with(&id.to_string()));
        }
    }
    if let Ok(form) = serde_urlencoded::from_bytes::<LogoutForm>(data) {
        check_csrf(&form.csrf_token);
    }
    if let Ok(form) = serde_urlencoded::from_bytes::<PasswordForm>(data) {
        check_csrf(&form.csrf_token);
        let _ = Password::parse_login(&form.current_password);
        let _ = Password::parse_new(&form.new_password, "ada");
    }
});
