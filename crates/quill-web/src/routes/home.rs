//! `/`: the timeline for the logged in, the login page for everyone else.

use actix_session::Session;
use actix_web::HttpResponse;

use crate::layout::{CurrentUser, see_other};

pub async fn get(session: Session) -> HttpResponse {
    match CurrentUser::of_session(&session) {
        Some(_) => see_other("/posts"),
        None => see_other("/login"),
    }
}
