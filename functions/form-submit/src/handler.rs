//! Request in, intake, response out.

use chrono::Utc;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use leadscore_intake::Intake;

/// The handler: never fails at the runtime level; every outcome is an HTTP
/// status (see [`leadscore_intake::http`]).
pub async fn handle(
    intake: &Intake,
    req: Request,
) -> Result<Response<Body>, std::convert::Infallible> {
    // The address API Gateway saw the request come from (not a header the
    // client could write); it has been seen with a port.
    let peer = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(c)) => c
            .http
            .source_ip
            .as_deref()
            .and_then(leadscore_intake::http::parse_address),
        _ => None,
    };
    let (parts, body) = req.into_parts();
    let head = http::Request::from_parts(parts, ());
    let resp = leadscore_intake::http::handle(intake, &head, body.as_ref(), peer, Utc::now()).await;
    tracing::info!(status = resp.status().as_u16(), "form submit");
    Ok(resp.map(Body::from))
}
