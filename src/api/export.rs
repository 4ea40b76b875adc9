//! Exports: the embedded server's own routes, whatever the dialect
//! (`config.json` says `"exports": true` when it answers them). Fetched
//! like every request, with the console's headers, so an ended session is
//! a 401 like any other (never the browser's Basic-auth prompt), then
//! handed to the browser as a file.

use super::{Api, ApiError};
use gloo_net::http::Method;
use wasm_bindgen::{JsCast, JsValue};

/// What an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// Every credential of the account, with where each is used.
    Credentials,
    /// Every IP ACL with its entries.
    Acls,
    /// One ACL's entries (its id given apart); as CSV, the import's format.
    Acl,
}

impl Api {
    /// Downloads an export as `format` ("csv" or "json"), of the ACL
    /// `acl` for [`Export::Acl`], and saves it under the name the server
    /// gives.
    pub async fn export(
        &self,
        what: Export,
        acl: Option<String>,
        format: &'static str,
    ) -> Result<(), ApiError> {
        let mut query = vec![("format", format.to_string())];
        if let (Export::Acl, Some(id)) = (what, acl) {
            query.push(("acl", id));
        }
        let path = match what {
            Export::Credentials => "Export/Credentials",
            Export::Acls | Export::Acl => "Export/IPAccessControlLists",
        };
        let response = self
            .send(Method::GET, &self.account_url(path), &query, None)
            .await?;
        if !response.ok() {
            return Err(ApiError::from_response(response).await);
        }
        let name = response
            .headers()
            .get("content-disposition")
            .as_deref()
            .and_then(file_name)
            .unwrap_or_else(|| format!("export.{format}"));
        let unsaved = |_| ApiError::Server("the export could not be saved".into());
        let raw: web_sys::Response = response.into();
        let blob = raw.blob().map_err(unsaved)?;
        let blob = wasm_bindgen_futures::JsFuture::from(blob)
            .await
            .map_err(unsaved)?;
        save(blob.unchecked_into(), &name).map_err(unsaved)
    }
}

/// The `filename="…"` of a `Content-Disposition` header.
fn file_name(disposition: &str) -> Option<String> {
    let (_, rest) = disposition.split_once("filename=\"")?;
    let name = rest.split('"').next()?;
    (!name.is_empty()).then(|| name.to_string())
}

thread_local! {
    /// The object URL of the last export saved.
    static LAST: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Saves `blob` as the file `name`: a temporary object URL clicked on an
/// `<a download>`. The URL is let go at the next export (or when the page
/// closes), long after the browser has read it: at most one is kept.
fn save(blob: web_sys::Blob, name: &str) -> Result<(), JsValue> {
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    if let Some(old) = LAST.with(|last| last.replace(Some(url.clone()))) {
        web_sys::Url::revoke_object_url(&old)?;
    }
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(JsValue::NULL)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::file_name;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_file_is_named_as_the_server_says() {
        assert_eq!(
            file_name("attachment; filename=\"ip-acls-MA1-2026-12-01.csv\"").as_deref(),
            Some("ip-acls-MA1-2026-12-01.csv")
        );
        assert_eq!(file_name("attachment"), None);
        assert_eq!(file_name("attachment; filename=\"\""), None);
    }
}
