//! The browser family a `User-Agent` names, for the sessions list: a few substring
//! checks in the order that tells the families apart (Edge and Opera say "Chrome",
//! Chrome says "Safari"), not a full parser.

/// "Firefox", "Chrome", "Safari", "curl" ...; for an agent it does not know, "API
/// client" for an API token and "Other browser" for a browser session.
pub fn family(agent: Option<&str>, api: bool) -> &'static str {
    const FAMILIES: [(&str, &str); 12] = [
        ("curl/", "curl"),
        ("wget/", "Wget"),
        ("python-requests/", "Python"),
        ("python-urllib/", "Python"),
        ("reqwest/", "API client"),
        ("edg/", "Edge"),
        ("opr/", "Opera"),
        ("firefox/", "Firefox"),
        ("fxios/", "Firefox"),
        ("crios/", "Chrome"),
        ("chrome/", "Chrome"),
        ("safari/", "Safari"),
    ];
    let fallback = if api { "API client" } else { "Other browser" };
    let Some(agent) = agent else {
        return fallback;
    };
    let agent = agent.to_ascii_lowercase();
    if agent.contains("chromium/") {
        return "Chromium";
    }
    FAMILIES
        .iter()
        .find(|(marker, _)| agent.contains(marker))
        .map_or(fallback, |(_, family)| family)
}

#[cfg(test)]
mod tests {
    use super::family;

    #[test]
    fn browsers_are_told_apart() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/114.0.0.0",
                "Opera",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                "Safari",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
                "Chrome",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/120.0.0.0 Chrome/120.0.0.0 Safari/537.36",
                "Chromium",
            ),
            ("curl/8.11.0", "curl"),
            ("Wget/1.21.4", "Wget"),
            ("python-requests/2.32.3", "Python"),
        ];
        for (agent, expected) in cases {
            assert_eq!(family(Some(agent), false), expected, "{agent}");
        }
    }

    #[test]
    fn unknown_or_missing_agents_fall_back_by_kind() {
        assert_eq!(family(None, true), "API client");
        assert_eq!(family(None, false), "Other browser");
        assert_eq!(family(Some("my-script/1.0"), true), "API client");
        assert_eq!(family(Some("Lynx/2.9.2"), false), "Other browser");
        assert_eq!(family(Some("curl/8.11.0"), true), "curl");
    }
}
