//! The JSON API under `/api/v1`, documented by an OpenAPI 3.1 document that
//! utoipa generates from the handlers (`/api/openapi.json`, browsable at
//! `/api/docs`).

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod clocks;
pub mod documents;
pub mod ops;
pub mod staff;
pub mod subjects;
pub mod tokens;
pub mod units;
pub mod users;

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{FromRequest, Request},
    http::StatusCode,
    routing::get,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::{AppState, error::AppError};

#[derive(OpenApi)]
#[openapi(
    info(title = "Jianguan API", description = "鹿泉区人社局事中事后监管平台 JSON API. Errors are `{\"error\": {\"code\", \"message\", \"fields\", \"request_id\"}}`; lists are `{\"items\", \"total\", \"page\", \"per_page\"}`."),
    components(schemas(ErrorBody, ErrorDetail, FieldErrorDto)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(units::router())
        .merge(staff::router())
        .merge(users::router())
        .merge(tokens::router())
        .merge(audit::router())
        .merge(calendar::router())
        .merge(clocks::router())
        .merge(documents::router())
        .merge(subjects::router())
}

/// `/api/openapi.json` and the Swagger UI at `/api/docs` (assets vendored in the binary).
pub fn docs_router(doc: Arc<utoipa::openapi::OpenApi>) -> Router<AppState> {
    let json = doc.clone();
    let swagger: Router<AppState> = utoipa_swagger_ui::SwaggerUi::new("/api/docs")
        .url("/api/openapi-ui.json", (*doc).clone())
        .into();
    Router::new()
        .route(
            "/api/openapi.json",
            get(move || async move { Json((*json).clone()) }),
        )
        .merge(swagger)
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code: unauthorized, forbidden, not_found, conflict, invalid, bad_request, payload_too_large, csrf, calendar_data, calendar_missing_year, internal.
    pub code: String,
    /// Message in the request's language.
    pub message: String,
    pub fields: Vec<FieldErrorDto>,
    pub request_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorDto {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// A page of a list.
#[derive(Serialize, ToSchema)]
pub struct PageDto<T: ToSchema> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T: ToSchema> PageDto<T> {
    pub fn from<U>(p: storage::repo::Page<U>, f: impl Fn(U) -> T) -> Self {
        PageDto {
            total: p.total,
            page: p.page,
            per_page: p.per_page,
            items: p.items.into_iter().map(f).collect(),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based page number.
    pub page: Option<u64>,
    /// Rows per page (1–200, default 20).
    pub per_page: Option<u64>,
    /// Free-text filter.
    pub q: Option<String>,
}

impl PageParams {
    pub fn req(&self) -> storage::repo::PageReq {
        storage::repo::PageReq::new(self.page, self.per_page)
    }
}

/// A JSON request body, read but not yet parsed: handlers check the caller's
/// permission first and then call [`JsonBody::parse`], so a caller without the
/// permission always gets 403, whatever they sent. Rejections are translated
/// JSON errors (400/413/415).
pub struct JsonBody(axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/json") || c.contains("+json"));
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => Ok(JsonBody(b)),
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::PayloadTooLarge),
            Err(_) => Err(AppError::BadRequest("error.bad_json".into())),
        }
    }
}

impl JsonBody {
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        serde_json::from_slice(&self.0).map_err(|e| {
            use serde_json::error::Category;
            match e.classify() {
                Category::Data => AppError::BadRequest("error.bad_json_shape".into()),
                _ => AppError::BadRequest("error.bad_json".into()),
            }
        })
    }
}
