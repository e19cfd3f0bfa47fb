//! Placeholder: filled in by the next change.
use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
