//! Reading paging parameters, once for every dialect: plivo, zentrunk and
//! vobiz page with `limit`/`offset` ([`Page`]); twilio reads its own names
//! with the same [`number`].

use crate::error::ApiError;
use std::collections::HashMap;

/// The whole number `query[name]` within `min..=max`, `default` when absent;
/// otherwise the message naming the parameter and its range.
pub fn number(
    query: &HashMap<String, String>,
    name: &str,
    default: i64,
    min: i64,
    max: i64,
) -> Result<i64, String> {
    let Some(raw) = query.get(name) else {
        return Ok(default);
    };
    match raw.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "{name}: must be a whole number from {min} to {max}, not {raw:?}"
        )),
    }
}

/// `limit` (1 to the dialect's largest page, default 20) and `offset`
/// (≥ 0, default 0) of a list request.
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

/// Plivo's and zentrunk's largest page.
pub const PLIVO_MAX: i64 = 20;
/// Vobiz's largest page.
pub const VOBIZ_MAX: i64 = 100;

impl Page {
    pub fn from_query(query: &HashMap<String, String>, max_limit: i64) -> Result<Self, ApiError> {
        let read = |name: &'static str, default, min, max| {
            number(query, name, default, min, max).map_err(|message| ApiError::BadField {
                field: name.into(),
                message,
            })
        };
        Ok(Self {
            limit: read("limit", 20, 1, max_limit)?,
            offset: read("offset", 0, 0, i64::from(i32::MAX))?,
        })
    }

    pub fn window(&self) -> crate::store::Window {
        crate::store::Window {
            limit: self.limit,
            offset: self.offset,
        }
    }

    /// Plivo's list `meta` object, with links to the neighbouring pages.
    pub fn meta(&self, base_uri: &str, total: i64, extra_query: &str) -> Meta {
        let link = |offset: i64| {
            format!(
                "{base_uri}?limit={}&offset={offset}{extra_query}",
                self.limit
            )
        };
        Meta {
            limit: self.limit,
            offset: self.offset,
            total_count: total,
            previous: (self.offset > 0).then(|| link((self.offset - self.limit).max(0))),
            next: (self.offset + self.limit < total).then(|| link(self.offset + self.limit)),
        }
    }
}

/// Plivo's and zentrunk's `meta` of a list.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Meta {
    pub limit: i64,
    pub offset: i64,
    pub total_count: i64,
    /// The previous page's URI, null on the first.
    pub previous: Option<String>,
    /// The next page's URI, null on the last.
    pub next: Option<String>,
}

/// A plivo or zentrunk list: one page of `objects`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Listed<T> {
    pub api_id: String,
    pub meta: Meta,
    pub objects: Vec<T>,
}

/// One resource with the answer's `api_id` beside its fields.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WithApiId<T> {
    pub api_id: String,
    #[serde(flatten)]
    pub item: T,
}

impl<T> WithApiId<T> {
    pub fn new(item: T) -> Self {
        Self {
            api_id: crate::error::api_id(),
            item,
        }
    }
}

/// `limit` and `offset` as plivo and zentrunk document them.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // only described: `Page::from_query` reads them, naming each error
pub struct PlivoPaging {
    /// Rows per page (default 20).
    #[param(minimum = 1, maximum = 20)]
    limit: Option<i64>,
    /// Rows to skip (default 0).
    #[param(minimum = 0, maximum = 2147483647)]
    offset: Option<i64>,
}

/// `limit` and `offset` as vobiz documents them.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // only described, as above
pub struct VobizPaging {
    /// Rows per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// Rows to skip (default 0).
    #[param(minimum = 0, maximum = 2147483647)]
    offset: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn limits_follow_the_dialect_and_name_the_parameter() {
        let p = Page::from_query(&query(&[]), PLIVO_MAX).unwrap();
        assert_eq!((p.limit, p.offset), (20, 0));
        let p =
            Page::from_query(&query(&[("limit", "100"), ("offset", " 7 ")]), VOBIZ_MAX).unwrap();
        assert_eq!((p.limit, p.offset), (100, 7));
        let e = Page::from_query(&query(&[("limit", "21")]), PLIVO_MAX)
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "limit: must be a whole number from 1 to 20, not \"21\""
        );
        assert!(Page::from_query(&query(&[("offset", "-1")]), PLIVO_MAX).is_err());
    }

    #[test]
    fn meta_links_neighbouring_pages() {
        let p = Page::from_query(&query(&[("limit", "2"), ("offset", "2")]), PLIVO_MAX).unwrap();
        let m = p.meta("/x/", 5, "&name=a");
        assert_eq!(m.previous.as_deref(), Some("/x/?limit=2&offset=0&name=a"));
        assert_eq!(m.next.as_deref(), Some("/x/?limit=2&offset=4&name=a"));
    }
}
