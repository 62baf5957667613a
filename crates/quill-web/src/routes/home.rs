//! `/`: the timeline for the logged in, the login page for everyone else.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::header;

use crate::app::CurrentUser;

pub async fn get(session: Session) -> HttpResponse {
    let location = match CurrentUser::of_session(&session) {
        Some(_) => "/posts",
        None => "/login",
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}
