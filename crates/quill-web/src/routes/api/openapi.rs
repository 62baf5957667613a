//! `GET /api/v1/openapi.json`: the API's OpenAPI 3.1 document, generated from the
//! handlers' `#[utoipa::path]` attributes and the request and response types, so it
//! changes with the code.
//!
//! The answers every route shares (the error body, 400/401/404/413/422/429/503 and
//! their headers) are components here, written once; the handlers name them.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use utoipa::openapi::content::Content;
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::errors::{ApiError, ApiErrorBody, Problem};

/// The name of the bearer-token security scheme (`security` above names it too).
const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Quill API",
        version = "1",
        description = "Quill's JSON API: sign up, log in, write and read one's own posts, \
            change one's password, list and end one's sessions. Bodies are JSON; errors are \
            `{\"error\": {\"code\", \"message\", \"fields\"?}}`. Prose, examples and limits: \
            docs/API.md.",
    ),
    components(
        schemas(ApiErrorBody),
        responses(
            BadRequest,
            Unauthorized,
            NotFound,
            PayloadTooLarge,
            Invalid,
            TooManyRequests,
            Unavailable
        ),
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
struct Document;

/// The whole document: [`Document`]'s frame and components with the operations of
/// every route the API serves.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = Document::openapi();
    document.merge(super::Operations::openapi());
    document
}

/// The document, serialised once: it depends only on the code.
static DOCUMENT_JSON: LazyLock<Result<String, serde_json::Error>> =
    LazyLock::new(|| document().to_json());

/// This document. It needs no token.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi",
    tag = "meta",
    security(()),
    responses((status = 200, description = "This OpenAPI 3.1 document.", body = Object)),
)]
pub async fn get() -> Result<HttpResponse, ApiError> {
    let json = DOCUMENT_JSON
        .as_ref()
        .map_err(|e| Problem::Internal(anyhow::anyhow!("serialising the OpenAPI document: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(json.clone()))
}

/// Adds the bearer scheme: tokens from `POST /api/v1/sessions`.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.description = Some(
            "A token from `POST /api/v1/sessions`, sent as `Authorization: Bearer <token>`."
                .to_owned(),
        );
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(BEARER, SecurityScheme::Http(http));
    }
}

/// An error answer with the `Error` body.
fn error(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/json",
        Content::new(Some(Ref::from_schema_name("Error"))),
    )
}

/// `Retry-After`, in seconds, on 429 and 503.
fn retry_after() -> Header {
    HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0)),
        )
        .description(Some("Seconds to wait before trying again."))
        .build()
}

/// A reusable error response, referenced by the handlers as `response = Name`.
macro_rules! error_response {
    ($($name:ident => $response:expr;)+) => {$(
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), RefOr::T($response))
            }
        }
    )+};
}

error_response! {
    BadRequest => error(
        "`bad_request`: unreadable JSON or query, a malformed cursor, or a wrong username or \
         password.",
    )
    .build();
    Unauthorized => error(
        "`unauthorized`: no bearer token, or one that is unknown, expired or logged out.",
    )
    .header(
        "WWW-Authenticate",
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["Bearer"])))
            .build(),
    )
    .build();
    NotFound => error("`not_found`: no such post, or one that is not yours.").build();
    PayloadTooLarge => error(
        "`payload_too_large`: a body over `QUILL_MAX_BODY_BYTES` (256 KiB by default).",
    )
    .build();
    Invalid => error("`invalid`: a field breaks a rule; `fields` has a message for each.")
        .build();
    TooManyRequests => error(
        "`too_many_requests`: throttled (failed logins or password checks) or rate-limited \
         (sign-ups, API sessions, post tokens); nothing was made or checked.",
    )
    .header("Retry-After", retry_after())
    .build();
    Unavailable => error(
        "`unavailable`: a store is unreachable or busy, or password hashing is saturated.",
    )
    .header("Retry-After", retry_after())
    .build();
}
