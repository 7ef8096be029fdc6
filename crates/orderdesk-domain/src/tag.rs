//! Order tags: short labels staff put on orders (`vip`, `gift wrap`,
//! `late`) to find and sort them, each shown in its own colour.

/// Longest tag, in characters.
pub const MAX_TAG: usize = 32;
/// Most tags on one order.
pub const MAX_TAGS: usize = 20;

/// Why a tag is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    #[error("a tag cannot be empty")]
    Empty,
    #[error("a tag can be at most {MAX_TAG} characters")]
    TooLong,
    #[error("a tag may hold letters, digits, spaces, '-' and '_' only: {0:?}")]
    Characters(String),
    #[error("an order can have at most {MAX_TAGS} tags")]
    TooMany,
}

/// A tag as stored: trimmed, inner spaces collapsed, lower case.
///
/// # Errors
/// Empty, too long, or with characters other than letters, digits,
/// spaces, `-` and `_`.
pub fn parse(text: &str) -> Result<String, TagError> {
    let tag = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if tag.is_empty() {
        return Err(TagError::Empty);
    }
    if tag.chars().count() > MAX_TAG {
        return Err(TagError::TooLong);
    }
    if !tag
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
    {
        return Err(TagError::Characters(text.to_owned()));
    }
    Ok(tag)
}

/// `tags` with `tag` added (kept in the order given, no repeats).
///
/// # Errors
/// [`TagError::TooMany`] when the order already has the most it may.
pub fn with_tag(tags: &[String], tag: &str) -> Result<Vec<String>, TagError> {
    if tags.iter().any(|t| t == tag) {
        return Ok(tags.to_vec());
    }
    if tags.len() >= MAX_TAGS {
        return Err(TagError::TooMany);
    }
    let mut out = tags.to_vec();
    out.push(tag.to_owned());
    Ok(out)
}

/// Which of a fixed set of colours a tag is shown in: the same tag always
/// gets the same colour, on every page and instance.
pub fn colour_index(tag: &str, colours: usize) -> usize {
    // FNV-1a: stable across builds, unlike the std hasher.
    let hash = tag.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    usize::try_from(hash % colours.max(1) as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_lower_case_and_checked() {
        assert_eq!(parse("  Gift   Wrap ").as_deref(), Ok("gift wrap"));
        assert_eq!(parse("VIP").as_deref(), Ok("vip"));
        assert_eq!(parse("  "), Err(TagError::Empty));
        assert_eq!(parse(&"x".repeat(33)), Err(TagError::TooLong));
        assert!(matches!(parse("<b>"), Err(TagError::Characters(_))));
        assert_eq!(parse("café").as_deref(), Ok("café"));
    }

    #[test]
    fn adding_a_tag_twice_keeps_one_and_the_count_is_capped() {
        let tags = with_tag(&["vip".to_owned()], "vip").unwrap();
        assert_eq!(tags, ["vip"]);
        let full: Vec<String> = (0..MAX_TAGS).map(|i| format!("t{i}")).collect();
        assert_eq!(with_tag(&full, "one more"), Err(TagError::TooMany));
    }

    #[test]
    fn a_tag_always_gets_the_same_colour() {
        assert_eq!(colour_index("vip", 8), colour_index("vip", 8));
        assert!(colour_index("gift", 8) < 8);
    }
}
