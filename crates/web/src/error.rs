//! One error type for every handler, one place that renders it.
//!
//! A handler returns `Err(AppError)`; `into_response` only tags the response
//! with the error. The context middleware, which knows the request's locale
//! and whether it is an API call, turns the tag into a translated HTML page
//! or a JSON body with a stable code and the request id.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::FieldErrors;
use storage::StorageError;

#[derive(Debug, Clone)]
pub enum AppError {
    Unauthorized,
    Forbidden,
    NotFound,
    /// A state conflict; the string is a locale key.
    Conflict(String),
    Invalid(FieldErrors),
    /// Malformed request; the string is a locale key.
    BadRequest(String),
    PayloadTooLarge,
    UnsupportedMediaType,
    Csrf,
    TooManyRequests,
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Invalid(_) => "invalid",
            AppError::BadRequest(_) => "bad_request",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Csrf => "csrf",
            AppError::TooManyRequests => "too_many_requests",
            AppError::Internal(_) => "internal",
        }
    }

    /// The locale key of the human message.
    pub fn message_key(&self) -> String {
        match self {
            AppError::Conflict(k) | AppError::BadRequest(k) => k.clone(),
            other => format!("error.{}", other.code()),
        }
    }
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound => AppError::NotFound,
            StorageError::Forbidden => AppError::Forbidden,
            StorageError::Conflict(k) => AppError::Conflict(k.to_string()),
            StorageError::Invalid(f) => AppError::Invalid(f),
            StorageError::Db(e) => AppError::Internal(e.to_string()),
            StorageError::Other(e) => AppError::Internal(e),
        }
    }
}

impl From<domain::authz::Forbidden> for AppError {
    fn from(_: domain::authz::Forbidden) -> Self {
        AppError::Forbidden
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut r = self.status().into_response();
        r.extensions_mut().insert(self);
        r
    }
}

pub type AppResult<T> = Result<T, AppError>;
