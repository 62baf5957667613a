//! HTTP methods at the edge: HEAD is answered as GET without a body, and a method a
//! resource does not take gets 405 with `Allow` naming the ones it does.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, Route, web};

/// A resource with one handler per method (`get`, `post`, `put`, `delete`); any other
/// method is answered 405 with `Allow` listing these (and HEAD, with GET).
macro_rules! endpoint {
    ($path:expr, $($method:ident => $handler:expr),+ $(,)?) => {
        actix_web::web::resource($path)
            $(.route(actix_web::web::$method().to($handler)))+
            .default_service($crate::methods::not_allowed(&[$(stringify!($method)),+]))
    };
}
pub(crate) use endpoint;

/// The `Allow` value for handlers of `methods` (lowercase names, as in `web::get`).
fn allow(methods: &[&str]) -> String {
    let mut allowed = Vec::new();
    for method in methods {
        let method = method.to_ascii_uppercase();
        if method == "GET" {
            allowed.push("HEAD".to_owned());
        }
        allowed.push(method);
    }
    allowed.sort();
    allowed.join(", ")
}

/// The route of a resource's other methods: 405, naming the allowed ones. The error
/// policy renders the page or JSON around it and keeps `Allow`.
pub fn not_allowed(methods: &[&str]) -> Route {
    let allow = allow(methods);
    web::route().to(move || {
        let allow = allow.clone();
        async move {
            HttpResponse::MethodNotAllowed()
                .insert_header((header::ALLOW, allow))
                .finish()
        }
    })
}

/// Middleware: a HEAD request is routed as GET. The connection sends the headers of
/// the GET answer and no body, as HTTP asks.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_brings_head_along() {
        assert_eq!(allow(&["get", "post"]), "GET, HEAD, POST");
        assert_eq!(allow(&["post"]), "POST");
        assert_eq!(allow(&["delete"]), "DELETE");
    }
}
