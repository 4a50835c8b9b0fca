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
