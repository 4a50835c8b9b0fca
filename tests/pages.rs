//! The pages at `/` are served from the binary: the login page and its
//! assets with their types, a strong ETag answered 304 when it matches,
//! `Cache-Control: no-cache`, and a JSON 404 for a file that is not there.

mod common;

use reqwest::StatusCode;

backend_test!(the_login_page_and_its_assets_are_served_with_caching_headers, |app| {
    let page = app.client.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-type"], "text/html");
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let etag = page.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && etag.len() == 66, "{etag}");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<script type="module" src="/web/app.js"></script>"#), "{html}");

    let again = app.client.get(format!("{}/", app.base)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert_eq!(again.text().await.unwrap(), "");
    let stale = app.client.get(format!("{}/", app.base)).header("if-none-match", "\"old\"").send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::OK);

    for (file, content_type) in [("app.js", "text/javascript; charset=utf-8"), ("app.css", "text/css")] {
        let asset = app.client.get(format!("{}/web/{file}", app.base)).send().await.unwrap();
        assert_eq!(asset.status(), StatusCode::OK, "{file}");
        assert_eq!(asset.headers()["content-type"], content_type, "{file}");
        assert!(asset.headers().contains_key("etag"), "{file}");
    }
    let missing = app.client.get(format!("{}/web/nope.js", app.base)).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.text().await.unwrap(), r#"{"status":"error","message":"Not found","code":404}"#);
});

/// The Content-Security-Policy the pages (`/`, `/web/…`) carry.
const PAGES_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// `/docs/`'s: Swagger UI sets style attributes, so inline style is allowed there.
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

backend_test!(the_pages_and_the_docs_forbid_inline_script_framing_and_sniffing, |app| {
    for (path, policy) in [
        ("/", PAGES_POLICY),
        ("/web/app.js", PAGES_POLICY),
        ("/web/app.css", PAGES_POLICY),
        ("/docs/", DOCS_POLICY),
        ("/docs/swagger-initializer.js", DOCS_POLICY),
    ] {
        let reply = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(reply.status(), StatusCode::OK, "{path}");
        let h = reply.headers();
        assert_eq!(h["content-security-policy"], policy, "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
    }
    // A revalidated page keeps them too.
    let page = app.client.get(format!("{}/", app.base)).send().await.unwrap();
    let etag = page.headers()["etag"].clone();
    let again = app.client.get(format!("{}/", app.base)).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["content-security-policy"], PAGES_POLICY);
    // The pages hold no inline script or style the policy would block.
    let html = app.client.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("<script>") && !html.contains("style="), "{html}");
});
