//! What every paged list of the API (orders, conversations, customers)
//! takes the same way: the page size, the cursor and the search term. One
//! rule each, so the lists cannot drift apart in what they refuse.

use crate::error::{ApiError, ApiResult};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 200;

/// The longest search term a list takes, in characters.
const MAX_SEARCH: usize = 200;

/// A page size as the API takes it: absent is the default, anything but a
/// whole number from 1 to the maximum is a 400 (an empty value too).
pub(crate) fn page_limit(raw: Option<&str>) -> ApiResult<u32> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "limit must be a whole number from 1 to {MAX_LIMIT}"
                ))
            }),
    }
}

/// Where a page continues: `None` for the first page (no or an empty
/// cursor), a 400 for a cursor `decode` does not know as one this server
/// issued.
pub(crate) fn page_cursor<C>(
    raw: Option<&str>,
    decode: impl FnOnce(&str) -> Option<C>,
) -> ApiResult<Option<C>> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(c) => decode(c)
            .map(Some)
            .ok_or_else(|| ApiError::bad_request("cursor is not one this server issued")),
    }
}

/// The search term `q`, trimmed; `None` when there is none, a 400 when it
/// is longer than the lists search by.
pub(crate) fn search_term(raw: Option<String>) -> ApiResult<Option<String>> {
    let q = raw.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
    if q.as_ref().is_some_and(|q| q.chars().count() > MAX_SEARCH) {
        return Err(ApiError::bad_request(format!(
            "q is longer than {MAX_SEARCH} characters"
        )));
    }
    Ok(q)
}
