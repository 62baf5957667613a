//! The flood's form bodies: what a browser sends, and that broken in one of many ways.

use std::collections::BTreeMap;

use rand::Rng;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Signup,
    Login,
    NewPost,
    Logout,
}

impl Form {
    pub fn path(self) -> &'static str {
        match self {
            Self::Signup => "/signup",
            Self::Login => "/login",
            Self::NewPost => "/posts/new",
            Self::Logout => "/logout",
        }
    }
}

type Fields = Vec<(String, Vec<u8>)>;

const FORM: &str = "application/x-www-form-urlencoded";

/// A password the sign-up rules accept.
pub fn password(rng: &mut SmallRng) -> String {
    const WORDS: [&str; 8] = [
        "marble", "tide", "copper", "lantern", "orchid", "glacier", "thimble", "saffron",
    ];
    format!(
        "{} {} {}",
        WORDS.choose(rng).unwrap_or(&"marble"),
        WORDS.choose(rng).unwrap_or(&"tide"),
        rng.random_range(1000..100_000)
    )
}

/// The form as a browser fills it in.
pub fn valid(
    form: Form,
    (username, password): &(String, String),
    csrf: &str,
    post_token: &str,
    rng: &mut SmallRng,
) -> Fields {
    let field = |name: &str, value: &str| (name.to_owned(), value.as_bytes().to_vec());
    match form {
        Form::Signup => vec![
            field("username", username),
            field("password", password),
            field("password_confirm", password),
            field("csrf_token", csrf),
        ],
        Form::Login => vec![
            field("username", username),
            field("password", password),
            field("csrf_token", csrf),
        ],
        Form::NewPost => vec![
            field("title", &format!("Flood post {}", rng.random::<u32>())),
            field(
                "body",
                &format!("A post of the form flood.\r\nLine {}", rng.random::<u16>()),
            ),
            field("post_token", post_token),
            field("csrf_token", csrf),
        ],
        Form::Logout => vec![field("csrf_token", csrf)],
    }
}

/// Percent-encodes `fields` as a form body.
fn encode(fields: &Fields) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        percent(name.as_bytes(), &mut out);
        out.push(b'=');
        percent(value, &mut out);
    }
    out
}

fn percent(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-_.*".contains(&b) {
            out.push(b);
        } else if b == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
}

/// Text that is not UTF-8, or is and is hostile.
fn nasty(rng: &mut SmallRng) -> Vec<u8> {
    let pieces: [&[u8]; 10] = [
        b"\xff\xfe\xfd",
        b"\xc3\x28",
        b"\xed\xa0\x80",
        b"\xf0\x28\x8c\x28",
        b"\0\0\0",
        "\u{202e}\u{200b}\u{feff}".as_bytes(),
        "Σ\u{130}\u{301}".as_bytes(),
        b"<script>alert(1)</script>",
        b"'; DROP TABLE users; --",
        b"\r\n\r\n",
    ];
    let mut out = Vec::new();
    for _ in 0..rng.random_range(1..6) {
        out.extend_from_slice(pieces.choose(rng).unwrap_or(&&b""[..]));
    }
    out
}

/// The body to send, its content type, and what was done to it ("valid" when nothing).
/// About a third of the bodies go out as they are.
pub fn mutate(
    mut fields: Fields,
    rng: &mut SmallRng,
) -> (Vec<u8>, Option<&'static str>, &'static str) {
    let pick = |fields: &Fields, rng: &mut SmallRng| rng.random_range(0..fields.len().max(1));
    let what = match rng.random_range(0..15) {
        0..5 => "valid",
        5 => {
            let i = pick(&fields, rng);
            if i < fields.len() {
                fields.remove(i);
            }
            "a field missing"
        }
        6 => {
            let i = pick(&fields, rng);
            if let Some((name, _)) = fields.get(i).cloned() {
                fields.push((name, b"another value".to_vec()));
            }
            "a field twice"
        }
        7 => {
            // Over QUILL_MAX_BODY_BYTES (256 KiB): 413.
            let i = pick(&fields, rng);
            if let Some(field) = fields.get_mut(i) {
                field.1 = vec![b'x'; 300 * 1024];
            }
            "a field over the body limit"
        }
        8 => {
            // Within the body limit, over every field's own limit.
            let i = pick(&fields, rng);
            if let Some(field) = fields.get_mut(i) {
                field.1 = "é".repeat(rng.random_range(129..40_000)).into_bytes();
            }
            "an oversized field"
        }
        9 => {
            let i = pick(&fields, rng);
            if let Some(field) = fields.get_mut(i) {
                field.1 = nasty(rng);
            }
            "invalid UTF-8 or hostile text in a field"
        }
        10 => {
            if let Some(field) = fields.iter_mut().find(|(name, _)| name == "csrf_token") {
                field.1 = match rng.random_range(0..4) {
                    0 => Vec::new(),
                    1 => b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_vec(),
                    2 => {
                        let mut token = field.1.clone();
                        if let Some(b) = token.first_mut() {
                            *b = if *b == b'A' { b'B' } else { b'A' };
                        }
                        token
                    }
                    _ => b"not base64 at all!".to_vec(),
                };
            }
            "a wrong CSRF token"
        }
        11 => {
            if let Some(field) = fields.iter_mut().find(|(name, _)| name == "post_token") {
                field.1 = match rng.random_range(0..3) {
                    0 => Vec::new(),
                    1 => b"00000000-0000-1000-8000-000000000000.AAAA".to_vec(),
                    _ => nasty(rng),
                };
            }
            "a wrong post token"
        }
        12 => {
            // Raw bytes where the body should be: no form at all.
            let len = rng.random_range(0..2048);
            let body = (0..len).map(|_| rng.random::<u8>()).collect();
            return (body, Some(FORM), "random bytes");
        }
        13 => {
            // Invalid UTF-8 unescaped, straight in the body.
            let mut body = encode(&fields);
            body.extend_from_slice(b"&title=\xff\xfe&body=\xc3\x28");
            return (body, Some(FORM), "unescaped invalid UTF-8");
        }
        _ => {
            let content_type = [None, Some("application/json"), Some("text/plain")];
            return (
                encode(&fields),
                *content_type.choose(rng).unwrap_or(&None),
                "a wrong content type",
            );
        }
    };
    (encode(&fields), Some(FORM), what)
}

/// Breaks one of the visitor's cookies (session, CSRF seed, flash, `quill_after`).
pub fn mutate_cookies(cookies: &mut BTreeMap<String, String>, rng: &mut SmallRng) {
    let name = *[
        "quill_session",
        "quill_csrf",
        "quill_flash",
        "quill_after",
        "quill_device",
    ]
    .choose(rng)
    .unwrap_or(&"quill_session");
    match rng.random_range(0..3) {
        0 => {
            cookies.remove(name);
        }
        1 => {
            cookies.insert(name.to_owned(), "AAAA.BBBB".to_owned());
        }
        _ => {
            let junk: String = (0..rng.random_range(1..400))
                .map(|_| char::from(rng.random_range(b'!'..=b'~')))
                .filter(|c| !matches!(c, ';' | ',' | '"' | '\\'))
                .collect();
            cookies.insert(name.to_owned(), junk);
        }
    }
}

/// The value of a form's hidden field on a page.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let value = rest.find("value=\"")? + 7;
    let end = rest[value..].find('"')?;
    Some(
        rest[value..value + end]
            .replace("&#x2D;", "-")
            .replace("&#x2E;", "."),
    )
}

/// The value of a field of a form body, as Quill decodes it.
pub fn field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}
