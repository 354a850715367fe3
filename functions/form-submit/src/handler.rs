//! Request in, intake, response out.

use chrono::Utc;
use lambda_http::{Body, Request, Response};
use leadscore_intake::Intake;

/// The handler: never fails at the runtime level; every outcome is an HTTP
/// status (see [`leadscore_intake::http`]).
pub async fn handle(
    intake: &Intake,
    req: Request,
) -> Result<Response<Body>, std::convert::Infallible> {
    let (parts, body) = req.into_parts();
    let head = http::Request::from_parts(parts, ());
    let resp = leadscore_intake::http::handle(intake, &head, body.as_ref(), Utc::now()).await;
    tracing::info!(status = resp.status().as_u16(), "form submit");
    Ok(resp.map(Body::from))
}
