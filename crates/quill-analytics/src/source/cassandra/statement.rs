//! The CQL text of a token-range scan of `posts_by_user`, with only the columns a query
//! needs. Values (the range bounds) are always bind markers.

/// Which stored columns a scan reads; `user_id` and `post_id` (which carries `created_at`)
/// always come along, `title` and `body` only when asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    pub title: bool,
    pub body: bool,
}

impl Columns {
    pub fn names(self) -> Vec<&'static str> {
        let mut names = vec!["user_id", "post_id"];
        if self.title {
            names.push("title");
        }
        if self.body {
            names.push("body");
        }
        names
    }
}

/// `SELECT ... FROM ks.posts_by_user WHERE token(user_id, month) >= ? AND ... <= ?`.
/// `keyspace` must be a checked keyspace name (the settings check it).
pub fn token_range_select(keyspace: &str, columns: Columns) -> String {
    format!(
        "SELECT {} FROM {keyspace}.posts_by_user \
         WHERE token(user_id, month) >= ? AND token(user_id, month) <= ?",
        columns.names().join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_scan_reads_the_four_columns_by_inclusive_token_bounds() {
        assert_eq!(
            token_range_select(
                "quill",
                Columns {
                    title: true,
                    body: true
                }
            ),
            "SELECT user_id, post_id, title, body FROM quill.posts_by_user \
             WHERE token(user_id, month) >= ? AND token(user_id, month) <= ?"
        );
    }

    #[test]
    fn the_projection_is_pushed_into_the_select_list() {
        assert_eq!(
            token_range_select(
                "ks_2",
                Columns {
                    title: false,
                    body: true
                }
            ),
            "SELECT user_id, post_id, body FROM ks_2.posts_by_user \
             WHERE token(user_id, month) >= ? AND token(user_id, month) <= ?"
        );
        assert_eq!(
            Columns {
                title: false,
                body: false
            }
            .names(),
            ["user_id", "post_id"]
        );
    }
}
