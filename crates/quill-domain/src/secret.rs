//! `Secret`: a value that never prints, such as a password or a URL with one in it.

use std::fmt;

/// Holds a value that must not reach logs, error messages or `Debug` output: both
/// `Debug` and `Display` write `<redacted>`. Read it with [`Secret::expose`], at the one
/// place that hands it to a driver.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T = String>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

/// How every password in `.env.example` begins: a deployment that still has one was
/// never given its own secrets, and anyone who has read the repository knows them.
pub const PLACEHOLDER_PREFIX: &str = "changeme";

impl Secret<String> {
    /// Whether this password is still a `changeme...` placeholder (in any case).
    pub fn is_placeholder(&self) -> bool {
        self.0
            .get(..PLACEHOLDER_PREFIX.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(PLACEHOLDER_PREFIX))
    }

    /// Whether this URL's password (`scheme://user:PASSWORD@host...`) is a
    /// placeholder. A URL without a password has none.
    pub fn has_placeholder_password(&self) -> bool {
        let Some((_, rest)) = self.0.split_once("://") else {
            return false;
        };
        // The user information ends at the last `@` before the path.
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let Some((userinfo, _)) = authority.rsplit_once('@') else {
            return false;
        };
        userinfo
            .split_once(':')
            .is_some_and(|(_, password)| Secret::new(password.to_owned()).is_placeholder())
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints() {
        #[derive(Debug)]
        #[allow(dead_code)] // read only through Debug
        struct Login {
            user: &'static str,
            password: Secret,
        }
        let login = Login {
            user: "quill",
            password: Secret::new("hunter22".to_owned()),
        };
        assert_eq!(
            format!("{login:?}"),
            r#"Login { user: "quill", password: <redacted> }"#
        );
        assert_eq!(login.password.to_string(), "<redacted>");
        assert_eq!(login.password.expose(), "hunter22");
    }

    #[test]
    fn placeholders_are_told_apart_from_passwords() {
        for placeholder in ["changemeapp", "changeme", "ChangeMe-monitor", "CHANGEME1"] {
            assert!(
                Secret::new(placeholder.to_owned()).is_placeholder(),
                "{placeholder}"
            );
        }
        for real in ["", "change", "9f2c0e", "notchangeme", "chângeme"] {
            assert!(!Secret::new(real.to_owned()).is_placeholder(), "{real}");
        }
        for url in [
            "mysql://quill:changemeapp@haproxy:3306/quill",
            "mysql://quill_admin:changemeadmin@mariadb-primary:3306/",
            "mysql://quill:CHANGEME@h",
        ] {
            assert!(
                Secret::new(url.to_owned()).has_placeholder_password(),
                "{url}"
            );
        }
        for url in [
            "mysql://quill:9f2c0e@haproxy:3306/quill",
            "mysql://changeme@haproxy:3306/quill",
            "mysql://quill:9f2c0e@haproxy:3306/changeme",
            "mysql://haproxy/quill?password=changeme",
            "changeme",
        ] {
            assert!(
                !Secret::new(url.to_owned()).has_placeholder_password(),
                "{url}"
            );
        }
    }
}
