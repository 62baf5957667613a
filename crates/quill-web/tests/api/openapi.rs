//! `GET /api/v1/openapi.json`: the document names exactly the routes the API serves,
//! and what the running app answers on them is what the document says.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use quill_test_support::{PASSWORD, TestApp, spawn_app};
use quill_web::routes::API_ROUTES;

/// Fetches the document as a client would: no token, no cookie.
async fn document(app: &TestApp) -> Value {
    let response = app
        .stranger()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(header("content-type").as_deref(), Some("application/json"));
    response.json().await.expect("a JSON document")
}

/// Every `(method, path)` the document describes, methods upper-case. Each has an
/// `operationId` of its own, as OpenAPI requires.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let id = operation["operationId"].as_str().expect("operationId");
            assert!(ids.insert(id.to_owned()), "operationId {id} twice");
            operations.insert((method.to_ascii_uppercase(), path.clone()));
        }
    }
    operations
}

#[tokio::test]
async fn the_document_names_every_served_route_and_no_other() {
    let app = spawn_app(&[]).await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().expect("version").starts_with("3.1"));

    let served: BTreeSet<(String, String)> = API_ROUTES
        .iter()
        .flat_map(|(path, methods)| {
            methods
                .iter()
                .map(move |m| (m.to_ascii_uppercase(), format!("/api/v1{path}")))
        })
        .collect();
    assert!(served.contains(&("GET".to_owned(), "/api/v1/openapi.json".to_owned())));
    assert_eq!(operations(&doc), served);
}

/// Whether `value` has the shape `schema` (of `doc`) gives it: types, required and
/// known properties, items; `$ref`s followed. What the document needs of Quill's
/// answers, not all of JSON Schema. The error says where the two part.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .ok_or(format!("{at}: unknown $ref {reference}"))?;
        return conforms(doc, &doc["components"]["schemas"][name], value, at);
    }
    if let Some(names) = schema["enum"].as_array()
        && !names.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {names:?}"));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return Ok(()),
    };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let number = kind == "integer" && types.contains(&"number");
    if !(types.contains(&kind) || number) {
        return Err(format!("{at}: {value} is not {types:?}"));
    }
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                conforms(doc, &schema["items"], item, &format!("{at}[{i}]"))?;
            }
        }
        Value::Object(object) => {
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap_or_default();
                if !object.contains_key(name) {
                    return Err(format!("{at}: no {name}"));
                }
            }
            for (name, field) in object {
                let at = format!("{at}.{name}");
                match (&schema["properties"][name], &schema["additionalProperties"]) {
                    (Value::Null, Value::Null) if schema.get("properties").is_some() => {
                        return Err(format!("{at}: not in the document"));
                    }
                    (Value::Null, Value::Null) => {}
                    (Value::Null, additional) => conforms(doc, additional, field, &at)?,
                    (property, _) => conforms(doc, property, field, &at)?,
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// A request body: JSON, or raw bytes sent as JSON.
enum Body {
    Json(Value),
    Raw(String),
}

/// Asks for one operation of the document, with `body` when it takes one, and checks
/// the answer against the document: the route is served (no 404 for the route itself,
/// no 405), the status is one the operation lists, and the body has the listed shape.
/// The status and body.
async fn probe(
    app: &TestApp,
    doc: &Value,
    (method, path): (&str, &str),
    token: Option<&str>,
    post: &str,
    body: Body,
) -> (u16, Value) {
    let operation = &doc["paths"][path][method.to_ascii_lowercase()];
    let url = app.url(&path.replace("{id}", post));
    let mut request = app
        .stranger()
        .request(Method::from_bytes(method.as_bytes()).expect("method"), url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if operation.get("requestBody").is_some() {
        request = match body {
            Body::Json(value) => request.json(&value),
            Body::Raw(raw) => request.header("content-type", "application/json").body(raw),
        };
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let context = format!("{method} {path}: {status} {text}");
    assert_ne!(status, 405, "{context}");
    let documented = &operation["responses"][status.to_string()];
    assert!(documented.is_object(), "undocumented status: {context}");
    let documented = match documented["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/responses/");
            &doc["components"]["responses"][name]
        }
        None => documented,
    };
    // A binary body (the export's ZIP) is checked for what it is, not for a schema.
    if documented["content"]["application/zip"].is_object() {
        assert!(text.starts_with("PK"), "not a ZIP: {context}");
        return (status, Value::Null);
    }
    let value = match &documented["content"]["application/json"]["schema"] {
        Value::Null => {
            assert!(
                text.is_empty(),
                "a body where none is documented: {context}"
            );
            Value::Null
        }
        schema => {
            let value = serde_json::from_str(&text).expect(&context);
            if let Err(e) = conforms(doc, schema, &value, "body") {
                panic!("{context}: {e}");
            }
            value
        }
    };
    (status, value)
}

/// Each operation, asked without a token and with an empty JSON object for a body: it
/// is served as the document says, and asks for the token exactly where the document
/// says one is needed.
#[tokio::test]
async fn every_documented_route_is_served_as_documented() {
    let app = spawn_app(&[]).await;
    let doc = document(&app).await;
    let operations = operations(&doc);
    assert!(operations.len() >= 12, "{operations:?}");
    // A well-formed post id that names no post.
    let post = "0190f0e2-4c1a-11ef-8000-000000000000";
    for (method, path) in &operations {
        let operation = (method.as_str(), path.as_str());
        let (status, _) = probe(&app, &doc, operation, None, post, Body::Json(json!({}))).await;
        let needs_token =
            doc["paths"][path][method.to_ascii_lowercase()]["security"] != json!([{}]);
        assert_eq!(status == 401, needs_token, "{method} {path}: {status}");
        assert_ne!(status, 404, "{method} {path}");
    }
}

/// The same with a token, and a post of the caller's to read: every success the routes
/// answer has the body the document gives it. Logging out comes last.
#[tokio::test]
async fn answers_with_a_token_have_the_documented_bodies() {
    let app = spawn_app(&[]).await;
    let doc = document(&app).await;
    let credentials = json!({ "username": "schema", "password": PASSWORD });
    let sign_up = ("POST", "/api/v1/users");
    let log_in = ("POST", "/api/v1/sessions");
    let (status, _) = probe(
        &app,
        &doc,
        sign_up,
        None,
        "",
        Body::Json(credentials.clone()),
    )
    .await;
    assert_eq!(status, 201);
    let (status, session) = probe(&app, &doc, log_in, None, "", Body::Json(credentials)).await;
    assert_eq!(status, 201);
    let token = session["token"].as_str().expect("token");
    let issue = ("POST", "/api/v1/post-tokens");
    let (status, issued) = probe(&app, &doc, issue, Some(token), "", Body::Json(json!({}))).await;
    assert_eq!(status, 201);
    let publish = ("POST", "/api/v1/posts");
    let new = json!({ "title": "Shape", "body": "Of things", "post_token": issued["post_token"] });
    let (status, post) = probe(&app, &doc, publish, Some(token), "", Body::Json(new)).await;
    assert_eq!(status, 201);
    let post = post["id"].as_str().expect("id");

    let log_out = ("DELETE".to_owned(), "/api/v1/sessions/current".to_owned());
    let mut operations: Vec<_> = operations(&doc).into_iter().collect();
    operations.retain(|op| *op != log_out);
    operations.push(log_out);
    let mut successes = 0;
    for (method, path) in &operations {
        let operation = (method.as_str(), path.as_str());
        let (status, _) = probe(
            &app,
            &doc,
            operation,
            Some(token),
            post,
            Body::Json(json!({})),
        )
        .await;
        assert_ne!(status, 401, "{method} {path}");
        successes += usize::from(status < 300);
    }
    // Those that need only the token: me, sessions, posts, a post, a post token, the
    // export, log out, and the document; the others want fields the empty body lacks.
    assert_eq!(successes, 8);
}

/// Bodies Quill cannot take, to every operation that takes one: not JSON is a 400 and
/// too large a 413, each documented for the operation, with a token or without.
#[tokio::test]
async fn unreadable_and_oversized_bodies_get_documented_answers() {
    let app = spawn_app(&[("QUILL_MAX_BODY_BYTES", "1024")]).await;
    let doc = document(&app).await;
    let token = quill_test_support::api::account(&app.stranger(), &app, &app, "bodies").await;
    let mut asked = 0;
    for (method, path) in operations(&doc) {
        let operation = (method.as_str(), path.as_str());
        if doc["paths"][&path][method.to_ascii_lowercase()]["requestBody"].is_null() {
            continue;
        }
        asked += 1;
        let huge = format!("{{\"username\": \"{}\"}}", "a".repeat(4096));
        let cases = [("{\"username\": ", 400), (huge.as_str(), 413)];
        for (raw, expected) in cases {
            let body = Body::Raw(raw.to_owned());
            let (status, answer) = probe(&app, &doc, operation, Some(&token), "", body).await;
            assert_eq!(status, expected, "{method} {path}: {answer}");
        }
    }
    // Sign up, log in, change the password, end the other sessions, publish, delete the
    // account.
    assert_eq!(asked, 6);
}

/// The shared answers: the error body, bearer auth, `WWW-Authenticate` on 401 and
/// `Retry-After` on 429 and 503, wherever an operation lists them.
#[tokio::test]
async fn the_document_describes_errors_auth_and_retry_after() {
    let app = spawn_app(&[]).await;
    let doc = document(&app).await;
    let components = &doc["components"];
    assert_eq!(components["securitySchemes"]["bearer"]["type"], "http");
    assert_eq!(components["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert_eq!(doc["security"], json!([{ "bearer": [] }]));
    assert_eq!(components["schemas"]["Error"]["required"], json!(["error"]));
    let detail_required = &components["schemas"]["ErrorDetail"]["required"];
    assert_eq!(detail_required, &json!(["code", "message"]));

    let mut statuses = BTreeSet::new();
    for (method, path) in operations(&doc) {
        let responses = doc["paths"][&path][method.to_ascii_lowercase()]["responses"]
            .as_object()
            .expect("responses");
        for (status, response) in responses {
            statuses.insert(status.clone());
            if !status.starts_with('4') && !status.starts_with('5') {
                continue;
            }
            let reference = response["$ref"].as_str().expect(status);
            let name = reference
                .strip_prefix("#/components/responses/")
                .expect(reference);
            let shared = &components["responses"][name];
            assert_eq!(
                shared["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/Error",
                "{method} {path} {status}"
            );
            let headers = &shared["headers"];
            match status.as_str() {
                "401" => assert!(headers.get("WWW-Authenticate").is_some()),
                "429" | "503" => assert!(headers.get("Retry-After").is_some(), "{name}"),
                _ => {}
            }
        }
    }
    for status in [
        "200", "201", "204", "400", "401", "404", "413", "422", "429", "503",
    ] {
        assert!(statuses.contains(status), "no operation answers {status}");
    }
}
