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
}
