//! Usernames and passwords as sign-up, login and the password change read them.
//!
//! Input: a username and a password separated by the first `\0`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quill_domain::{Password, Username};
use quill_fuzz::text;

fuzz_target!(|data: &[u8]| {
    let raw = text(data);
    let (username, password) = raw.split_once('\0').unwrap_or((&raw, ""));
    let folded = Username::fold(username);
    assert_eq!(Username::fold(&folded), folded);
    if let Ok(name) = Username::parse(username) {
        // Stored as its folded form, which is valid again and the same account.
        assert_eq!(name.as_str(), folded);
        assert_eq!(Username::parse(name.as_str()), Ok(name.clone()));
        let len = name.as_str().chars().count();
        assert!((Username::MIN..=Username::MAX).contains(&len));
    }
    if let Ok(new) = Password::parse_new(password, username) {
        assert_eq!(new.expose(), password);
        // A password one may choose, one may also log in with.
        assert!(Password::parse_login(password).is_ok());
        let len = password.chars().count();
        assert!((Password::MIN..=Password::MAX).contains(&len));
    }
    let _ = Password::parse_login(password);
});
