//! Reading pages the way a browser would, without a browser: a form's hidden fields
//! and links.

/// The value of the input named `name` in a page (a form's CSRF or post token).
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in page"))
        + marker.len();
    let len = html[start..].find('"').expect("closing quote");
    html[start..start + len].to_owned()
}

/// The first quoted attribute value in a page that starts with `prefix`: a link such
/// as `/posts?before=...` or `/static/quill.css?v=...`.
pub fn link<'a>(html: &'a str, prefix: &str) -> &'a str {
    html.split('"')
        .find(|part| part.starts_with(prefix))
        .unwrap_or_else(|| panic!("no link starting with {prefix} in page"))
}
