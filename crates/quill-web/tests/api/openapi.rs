//! `GET /api/v1/openapi.json`: the document names exactly the routes the API serves,
//! and what the running app answers on them is what the document says.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use quill_test_support::{TestApp, spawn_app};
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

/// Each operation, asked without a token and with an empty JSON object for a body: the
/// app serves it (no 404 for the route, no 405), answers a status the document lists for
/// it, asks for the token exactly where the document says one is needed, and shapes its
/// errors as the `Error` schema says.
#[tokio::test]
async fn every_documented_route_is_served_as_documented() {
    let app = spawn_app(&[]).await;
    let doc = document(&app).await;
    let error_fields: BTreeSet<&str> = doc["components"]["schemas"]["ErrorDetail"]["properties"]
        .as_object()
        .expect("ErrorDetail's properties")
        .keys()
        .map(String::as_str)
        .collect();
    let operations = operations(&doc);
    assert!(operations.len() >= 12, "{operations:?}");

    for (method, path) in &operations {
        let operation = &doc["paths"][path][method.to_ascii_lowercase()];
        // A well-formed post id that names no post.
        let url = app.url(&path.replace("{id}", "0190f0e2-4c1a-11ef-8000-000000000000"));
        let mut request = app
            .stranger()
            .request(Method::from_bytes(method.as_bytes()).expect("method"), url);
        if operation.get("requestBody").is_some() {
            request = request.json(&json!({}));
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let context = format!("{method} {path}: {status} {body}");

        assert!(status != 404 || path.contains("{id}"), "{context}");
        assert_ne!(status, 405, "{context}");
        assert!(
            operation["responses"].get(status.to_string()).is_some(),
            "undocumented status: {context}"
        );
        let needs_token = operation["security"] != json!([{}]);
        assert_eq!(status == 401, needs_token, "{context}");
        if status >= 400 {
            let error = body["error"].as_object().expect(&context);
            assert!(error["code"].is_string() && error["message"].is_string());
            assert!(
                error.keys().all(|k| error_fields.contains(k.as_str())),
                "{context}"
            );
        }
    }
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
