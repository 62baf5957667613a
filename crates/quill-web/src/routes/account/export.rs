//! `GET /account/export`: a download of one's posts, a ZIP streamed as it is written
//! (`app::export`).

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, web};

use crate::app::{CurrentUser, export};
use crate::state::AppState;

pub async fn get(state: web::Data<AppState>, user: CurrentUser) -> HttpResponse {
    download(state, user)
}

/// The streamed archive as a download; the API's `GET /api/v1/me/export` answers the same.
pub fn download(state: web::Data<AppState>, user: CurrentUser) -> HttpResponse {
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(export::file_name(
            &user.username,
        ))],
    };
    HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .streaming(export::export(state, user))
}
